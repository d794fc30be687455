import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parsePrometheusText, promSamples, promValue, systemMetricKeys } from '@equilab/contracts';
import { GpuProbe, parseNvidiaSmi } from './gpu-probe';
import { RunnerMetrics } from './runner-metrics';
import { SystemSampler } from './system-sampler';

const dir = mkdtempSync(join(tmpdir(), 'equilab-monitoring-'));
/** A stand-in nvidia-smi printing what the real one prints for two GPUs (CSV, no header, no units). */
const fakeSmi = join(dir, 'nvidia-smi');
writeFileSync(fakeSmi, '#!/bin/sh\nprintf "0, 87, 3021, 16384\\n1, 13, 1000, 16384\\n"\n');
chmodSync(fakeSmi, 0o755);
const missingSmi = join(dir, 'no-such-nvidia-smi');

void describe('runner monitoring', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  void it('parses nvidia-smi CSV, skipping GPUs that report [N/A]', () => {
    assert.deepEqual(parseNvidiaSmi('0, 87, 3021, 16384\n1, [N/A], 10, 16384\n\n'), [{ index: 0, utilizationPercent: 87, memoryUsedMb: 3021, memoryTotalMb: 16384 }]);
  });

  void it('GpuProbe: readings where nvidia-smi answers; null without an error (and no second try) where it is missing', async () => {
    assert.equal((await new GpuProbe(fakeSmi).sample())?.length, 2);
    const missing = new GpuProbe(missingSmi);
    assert.equal(await missing.sample(), null);
    assert.equal(await missing.sample(), null);
  });

  void it('SystemSampler: CPU % and RSS always, GPU only when the probe found one', async () => {
    const cpuOnly = new SystemSampler(new GpuProbe(missingSmi), 0);
    let spin = 0;
    for (let i = 0; i < 2e6; i += 1) spin += Math.sqrt(i);
    assert.ok(spin > 0);
    const points = cpuOnly.sample(7);
    const byKey = new Map(points.map((p) => [p.key, p]));
    assert.deepEqual([...byKey.keys()].sort(), [systemMetricKeys.cpuPercent, systemMetricKeys.rssMb].sort());
    assert.ok(byKey.get(systemMetricKeys.cpuPercent)!.value > 0);
    assert.ok(byKey.get(systemMetricKeys.rssMb)!.value > 10, 'a Node process holds more than 10 MB');
    assert.ok(points.every((p) => p.step === 7));

    const probe = new GpuProbe(fakeSmi);
    const first = probe.sample();
    const withGpu = new SystemSampler({ sample: () => first } as GpuProbe, 0);
    await first;
    const gpu = new Map(withGpu.sample(8).map((p) => [p.key, p.value]));
    assert.equal(gpu.get(systemMetricKeys.gpuUtilizationPercent), 50);
    assert.equal(gpu.get(systemMetricKeys.gpuMemoryMb), 4021);
  });

  void it('RunnerMetrics on /metrics: steps/s, images/s, data wait, job state and outcome, GPU gauges', async () => {
    const metrics = new RunnerMetrics(new GpuProbe(fakeSmi), { runner: 'r1' });
    const port = await metrics.serve('127.0.0.1', 0);
    const scrape = async () => {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      assert.equal(res.status, 200);
      return parsePrometheusText(await res.text());
    };
    try {
      const run = '11111111-1111-4111-8111-111111111111';
      metrics.jobStarted('pretrain', `${run}.1`, run);
      let m = await scrape();
      assert.equal(promValue(m, 'equilab_runner_job_state', { run_id: run, state: 'starting' }), 1);
      assert.equal(promValue(m, 'equilab_runner_active_jobs', { queue: 'pretrain' }), 1);
      const progress = { totalSteps: 100, epoch: 0, totalEpochs: 1, etaSeconds: null };
      metrics.progress(run, { ...progress, step: 10, imagesPerSecond: 40 }, 1_000_000);
      metrics.progress(run, { ...progress, step: 30, imagesPerSecond: 42 }, 1_004_000);
      metrics.metrics(run, [
        { key: 'loss', step: 30, value: 1, time: 0 },
        { key: systemMetricKeys.dataWaitFraction, step: 30, value: 0.25, time: 0 },
      ]);
      m = await scrape();
      assert.equal(promValue(m, 'equilab_runner_steps_per_second', { run_id: run }), 5);
      assert.equal(promValue(m, 'equilab_runner_images_per_second', { run_id: run }), 42);
      assert.equal(promValue(m, 'equilab_runner_data_wait_fraction', { run_id: run }), 0.25);
      assert.equal(promSamples(m, 'equilab_runner_job_state', { run_id: run }).length, 1);
      assert.equal(promValue(m, 'equilab_runner_job_state', { run_id: run, job_id: `${run}.1`, queue: 'pretrain', state: 'running' }), 1);
      assert.equal(promValue(m, 'equilab_runner_gpu_utilization_ratio', { gpu: '0' }), 0.87);
      assert.equal(promValue(m, 'equilab_runner_gpu_memory_used_bytes', { gpu: '1' }), 1000 * 2 ** 20);
      assert.equal(promValue(m, 'equilab_runner_gpu_memory_total_bytes', { gpu: '1' }), 16384 * 2 ** 20);
      assert.equal(m.types.get('equilab_runner_jobs_finished_total'), 'counter');
      assert.ok(promSamples(m, 'process_cpu_seconds_total').every((s) => s.labels['runner'] === 'r1'));

      // While the checkpoint goes to the store: one state at a time, back to running after.
      metrics.jobPhase('pretrain', `${run}.1`, 'checkpointing');
      m = await scrape();
      assert.deepEqual(promSamples(m, 'equilab_runner_job_state', { run_id: run }).map((s) => s.labels['state']), ['checkpointing']);
      metrics.jobPhase('pretrain', `${run}.1`, 'running');
      m = await scrape();
      assert.deepEqual(promSamples(m, 'equilab_runner_job_state', { run_id: run }).map((s) => s.labels['state']), ['running']);
      // An evaluation job of the same run: starting, running once its backend is up, checkpointing its files.
      const evaluation = 'eval-22222222-2222-4222-8222-222222222222.1';
      metrics.jobStarted('evaluate', evaluation, run);
      const evaluationState = async () => promSamples(await scrape(), 'equilab_runner_job_state', { job_id: evaluation }).map((s) => s.labels['state']);
      assert.deepEqual(await evaluationState(), ['starting']);
      metrics.progress(run, { ...progress, step: 31, imagesPerSecond: 42 }, 1_005_000);
      assert.deepEqual(await evaluationState(), ['starting'], "the pretrain job's progress does not move the evaluation");
      metrics.jobPhase('evaluate', evaluation, 'running');
      assert.deepEqual(await evaluationState(), ['running']);
      metrics.jobPhase('evaluate', evaluation, 'checkpointing');
      assert.deepEqual(await evaluationState(), ['checkpointing']);
      metrics.jobEnded('evaluate', evaluation, 'succeeded');
      assert.deepEqual(await evaluationState(), []);
      metrics.jobPhase('evaluate', evaluation, 'running');
      assert.deepEqual(await evaluationState(), [], 'an ended job gets no state back');

      metrics.jobEnded('pretrain', `${run}.1`, 'succeeded');
      m = await scrape();
      assert.equal(promValue(m, 'equilab_runner_jobs_finished_total', { queue: 'pretrain', outcome: 'succeeded' }), 1);
      assert.equal(promValue(m, 'equilab_runner_active_jobs', { queue: 'pretrain' }), 0);
      assert.equal(promSamples(m, 'equilab_runner_job_state').length, 0);
      assert.equal(promSamples(m, 'equilab_runner_steps_per_second').length, 0, 'a finished run leaves no series');
      assert.equal((await fetch(`http://127.0.0.1:${port}/other`)).status, 404);
    } finally {
      await metrics.close();
    }
  });

  void it('no GPU series and no error on a machine without nvidia-smi', async () => {
    const metrics = new RunnerMetrics(new GpuProbe(missingSmi), { runner: 'r2' });
    const port = await metrics.serve('127.0.0.1', 0);
    try {
      const m = parsePrometheusText(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
      assert.equal(promSamples(m, 'equilab_runner_gpu_utilization_ratio').length, 0);
      assert.equal(m.types.get('equilab_runner_gpu_utilization_ratio'), 'gauge');
    } finally {
      await metrics.close();
    }
  });
});
