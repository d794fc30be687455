import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseMethodRun, parsePrometheusText, promValue, systemMetricKeys, type PretrainJob } from '@equilab/contracts';
import { generateDataset } from '@equilab/data';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { FakeApiServer, waitFor } from './testing/fake-api.server';
import { startRunnerProcess, type RunnerProcess } from './testing/runner-process';

/**
 * The production path: a runner process whose child calls the real libs/sie `train` (cpu backend, a tiny
 * SIE on a generated 3DIEBench-shaped dataset), against the in-test API.
 */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

void describe('runner with the real trainer', { timeout: 300_000 }, () => {
  const api = new FakeApiServer();
  const prefix = `test-runner-real-${randomUUID()}`;
  const root = mkdtempSync(join(tmpdir(), 'equilab-runner-real-'));
  const data = join(root, 'data');
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('pretrain', { connection, prefix });
  let runner: RunnerProcess | null = null;
  let apiUrl = '';
  const startRunner = (name: string): RunnerProcess =>
    startRunnerProcess({
      REDIS_URL,
      API_URL: apiUrl,
      API_TOKEN: 'runner-token',
      QUEUE_PREFIX: prefix,
      RUNNER_QUEUES: 'pretrain',
      RUNNER_NAME: name,
      ARTIFACT_DIR: join(root, 'artifacts'),
      WORK_DIR: join(root, name, 'work'),
      SPILL_DIR: join(root, name, 'spill'),
      RUNNER_DATA_WORKERS: '0',
      METRICS_FLUSH_MS: '100',
    });

  before(async () => {
    await generateDataset({
      out: data,
      classes: 2,
      objectsPerClass: 4,
      views: 3,
      size: 32,
      seed: 3,
      workers: 0,
    });
    apiUrl = await api.start();
    runner = startRunner('first');
    await runner.ready();
  });
  after(async () => {
    if (runner && runner.process.exitCode === null) {
      runner.process.kill('SIGTERM');
      await runner.exited;
    }
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await connection.quit();
    await api.close();
    rmSync(root, { recursive: true, force: true });
  });

  void it('trains a tiny SIE run to the end: device recorded, metrics, checkpoints and final weights registered', async () => {
    const runId = randomUUID();
    const job: PretrainJob = {
      runId,
      projectId: randomUUID(),
      ...parseMethodRun('SIE', { width: 0.0625, mlp: '16-16-16', equi: 16, batch_size: 3, resolution: 32, epochs: 2 }),
      // The job's logging frequency is what the trainer honours (checked below): every 3rd step, never by time.
      logEvery: { steps: 3, seconds: 86_400 },
      dataRoot: data,
      backend: 'cpu',
      seed: 1,
    };
    await queue.add('pretrain', job, { jobId: `${runId}.1`, attempts: 1 });
    await waitFor('the run to finish', () => api.finished.get(runId), 240_000, 200);
    assert.equal(api.finished.get(runId), 'succeeded', runner?.output.join('\n'));

    const start = api.callsTo('/start', runId)[0]!;
    assert.equal(start.body.backend, 'cpu');
    assert.equal(typeof start.body.device, 'string');
    const keys = new Set([...api.metrics.get(runId)!.values()].map((point) => point.key));
    assert.ok(keys.size > 1, `metric keys: ${[...keys].join(', ')}`);
    // System metrics came with the run's metrics: the child's process readings and the loop's own.
    const system = (key: string) => [...api.metrics.get(runId)!.values()].filter((point) => point.key === key);
    for (const key of [systemMetricKeys.cpuPercent, systemMetricKeys.rssMb, systemMetricKeys.tfjsMemoryMb, systemMetricKeys.tfjsTensors, systemMetricKeys.dataWaitFraction])
      assert.ok(system(key).length > 0, `${key} stored (keys: ${[...keys].join(', ')})`);
    assert.ok(system(systemMetricKeys.rssMb).every((p) => p.value > 10), 'RSS in MB');
    assert.ok(system(systemMetricKeys.dataWaitFraction).every((p) => p.value >= 0 && p.value <= 1));
    // No nvidia-smi on this test machine: no GPU series, and no error either (the run succeeded).
    if (spawnSync('nvidia-smi', ['-L']).status !== 0) assert.equal(system(systemMetricKeys.gpuUtilizationPercent).length, 0);
    const scrape = parsePrometheusText(await (await fetch(runner!.metricsUrl())).text());
    assert.equal(promValue(scrape, 'equilab_runner_jobs_finished_total', { queue: 'pretrain', outcome: 'succeeded' }), 1);
    assert.equal(promValue(scrape, 'equilab_runner_active_jobs', { queue: 'pretrain' }), 0);
    assert.ok(runner!.output.some((line) => line.includes(`"runId":"${runId}"`)), 'JSON log lines carry the run id');
    const artifacts = api.callsTo('/artifacts', runId).map((call) => call.body);
    const checkpoints = artifacts.filter((a) => a.kind === 'checkpoint');
    assert.ok(checkpoints.length >= 2, 'a checkpoint at each epoch end');
    // Each checkpoint at its own step- and content-addressed key: runs/<runId>/v/<step>-<sha256 prefix>/<file>.
    assert.deepEqual(
      checkpoints.map((a) => a.path),
      checkpoints.map((a) => `runs/${runId}/v/${String(a.step).padStart(12, '0')}-${String(a.sha256).slice(0, 16)}/checkpoint.safetensors`),
    );
    const final = artifacts.find((a) => a.kind === 'final-weights');
    assert.ok(final, 'final weights registered');
    const total = Number(final.step);
    assert.deepEqual(
      api.steps(runId, 'Loss/Total loss'),
      Array.from({ length: total }, (_, i) => i).filter((step) => step % 3 === 0 || step === total - 1),
      'metrics at every 3rd step and the last, as the job asks',
    );
    assert.ok(existsSync(join(root, 'artifacts', String(final.path))));
    assert.match(String(final.sha256), /^[0-9a-f]{64}$/);
  });

  void it('SIGTERM mid-training: checkpoint, preempted; another runner resumes with no gap or repeat in the series', async () => {
    const runId = randomUUID();
    const job: PretrainJob = {
      runId,
      projectId: randomUUID(),
      ...parseMethodRun('SIE', { width: 0.0625, mlp: '16-16-16', equi: 16, batch_size: 3, resolution: 32, epochs: 12 }),
      logEvery: { steps: 1, seconds: 86_400 },
      dataRoot: data,
      backend: 'cpu',
      seed: 2,
    };
    api.onFinish = async (id, status) => {
      if (id === runId && status === 'preempted')
        await queue.add('pretrain', job, { jobId: `${runId}.2`, attempts: 1 });
    };
    await queue.add('pretrain', job, { jobId: `${runId}.1`, attempts: 1 });
    const lrSteps = (): number[] => api.steps(runId, 'General/lr');
    await waitFor('a few training steps', () => lrSteps().length >= 3, 120_000, 100);
    runner!.process.kill('SIGTERM');
    assert.deepEqual(await runner!.exited, { code: 0, signal: null });
    assert.equal(api.finished.get(runId), 'preempted');
    const checkpoint = api
      .callsTo('/artifacts', runId)
      .filter((call) => call.body.kind === 'checkpoint')
      .at(-1)!;
    const preemptedAt = checkpoint.body.step as number;
    assert.ok(preemptedAt >= 3, `checkpoint at step ${preemptedAt}`);
    assert.deepEqual(
      lrSteps(),
      Array.from({ length: preemptedAt }, (_, i) => i),
      'metrics up to the checkpoint were delivered',
    );

    runner = startRunner('second');
    await runner.ready();
    await waitFor('the resumed run to succeed', () => api.finished.get(runId) === 'succeeded', 240_000, 200);
    const total = lrSteps().length;
    assert.ok(total > preemptedAt);
    assert.deepEqual(
      lrSteps(),
      Array.from({ length: total }, (_, i) => i),
      'no gap in the series',
    );
    const starts = api.callsTo('/start', runId);
    assert.equal(starts.length, 2);
    const resumedPosts = api.calls
      .slice(api.calls.indexOf(starts[1]!))
      .filter((call) => call.path === `/api/runs/${runId}/metrics`);
    const resumedSteps = resumedPosts.flatMap((call) =>
      (call.body.points as { key: string; step: number }[])
        .filter((p) => p.key === 'General/lr')
        .map((p) => p.step),
    );
    assert.equal(
      Math.min(...resumedSteps),
      preemptedAt,
      'the second runner resumed at the checkpointed step',
    );
    assert.equal(new Set(resumedSteps).size, resumedSteps.length, 'no step sent twice');
  });
});
