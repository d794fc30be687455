/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are untyped JSON here; the assertions check their shape */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DispatchService } from '../queue/dispatch.service';
import { bullPriority } from '../queue/queue-names';
import { AshaService } from './asha.service';
import { createProject, jobRunToken, registerRunner, startTestApp, type TestApp } from '../testing/test-app';

const METRIC = 'Loss/Total loss';

interface RunBody {
  id: string;
  name: string;
  status: string;
  attempt: number;
  sweepConfig: number;
}

/**
 * The API's side of ASHA, with this test as the runner: each attempt is started, reports its metric at the rung
 * and finishes; the API pauses it at the rung, promotes by the paper's rule, and stops the never-promoted.
 */
void describe('ASHA sweeps', () => {
  let t: TestApp;
  let projectId: string;
  let runnerId: string;

  before(async () => {
    t = await startTestApp();
    projectId = await createProject(t, 'asha');
    runnerId = await registerRunner(t);
  });
  after(async () => {
    await t.close();
  });

  const dispatch = () => t.app.get(DispatchService);
  const sweep = async (id: string) => (await t.request('GET', `/api/sweeps/${id}`)).body as { status: string; runs: RunBody[]; rungs: { rung: number; epochs: number; results: { runId: string; value: number | null; promoted: boolean }[] }[]; compute: { spentEpochs: number; gridEpochs: number } };
  const job = async (run: RunBody) => dispatch().pretrain.getJob(`${run.id}.${run.attempt}`);

  /** Plays the runner for one attempt: start, one metric point at the rung's last step, finish succeeded. */
  async function train(run: RunBody, value: (epochs: number) => number): Promise<string> {
    const j = await job(run);
    assert.ok(j, `a job for ${run.name} attempt ${run.attempt}`);
    const epochs = (j.data as { config: { epochs: number } }).config.epochs;
    const token = await jobRunToken(t, run.id, run.attempt);
    assert.equal((await t.request('POST', `/api/runs/${run.id}/start`, { runnerId, attempt: run.attempt, backend: 'wasm', threads: 1, device: 'cpu' }, token)).status, 200);
    const points = [{ key: METRIC, step: epochs * 3 - 1, value: value(epochs), time: Date.now() }];
    assert.ok([200, 201].includes((await t.request('POST', `/api/runs/${run.id}/metrics`, { points }, token)).status));
    const finish = await t.request('POST', `/api/runs/${run.id}/finish`, { status: 'succeeded' }, token);
    assert.equal(finish.status, 200, finish.text);
    return finish.body.status as string;
  }

  void it('pauses runs at their rung, promotes the top 1/η, resumes them with the next rung’s epochs, stops the rest', async () => {
    const created = await t.request('POST', '/api/sweeps', {
      projectId,
      name: 'asha',
      method: 'VICReg',
      strategy: 'asha',
      baseConfig: { seed: 0 },
      searchSpace: { base_lr: { distribution: 'log-uniform', min: 1e-4, max: 1e-1 } },
      asha: { minEpochs: 1, maxEpochs: 4, eta: 2, maxRuns: 4, metric: METRIC, mode: 'min' },
      maxConcurrency: 2,
    });
    assert.equal(created.status, 201, created.text);
    const id = created.body.id as string;
    // Quality by configuration: 0 best … 3 worst.
    const quality = (run: RunBody) => (epochs: number) => run.sweepConfig + 1 / epochs;
    let s = await sweep(id);
    assert.deepEqual(s.runs.map((r) => r.status), ['queued', 'queued', 'queued', 'queued']);
    assert.deepEqual(await Promise.all(s.runs.map(async (r) => Boolean(await job(r)))), [true, true, false, false], 'two slots');
    assert.equal(((await job(s.runs[0]!))!.data as { config: { epochs: number } }).config.epochs, 1, 'the first rung’s budget');

    assert.equal(await train(s.runs[1]!, quality(s.runs[1]!)), 'paused');
    s = await sweep(id);
    assert.equal(s.runs[1]!.status, 'paused');
    assert.ok(await job(s.runs[2]!), 'one result, ⌊1/2⌋ = 0 promotable: the freed slot starts a new configuration');
    assert.equal(await train(s.runs[0]!, quality(s.runs[0]!)), 'queued', 'paused, and promoted in the same decision');
    s = await sweep(id);
    // Two results at rung 0 → the better (configuration 0) is promoted: queued again, attempt 2, 2 epochs.
    assert.equal(s.runs[0]!.status, 'queued');
    assert.equal(s.runs[0]!.attempt, 2);
    assert.equal(((await job(s.runs[0]!))!.data as { config: { epochs: number } }).config.epochs, 2);
    assert.equal(s.runs[1]!.status, 'paused');
    // Two replicas deciding at once promote nothing twice (the sweep's advisory lock, conditional updates).
    await Promise.all([dispatch().fillSweep(id), dispatch().fillSweep(id), dispatch().afterSweepRunSettled(id)]);
    s = await sweep(id);
    assert.equal(s.runs[0]!.attempt, 2);
    assert.equal(s.rungs[0]!.results.filter((r) => r.promoted).length, 1);

    assert.equal(await train(s.runs[2]!, quality(s.runs[2]!)), 'paused');
    assert.equal(await train(s.runs[0]!, quality(s.runs[0]!)), 'paused');
    s = await sweep(id);
    assert.ok(await job(s.runs[3]!), 'the last configuration starts');
    assert.equal(await train(s.runs[3]!, quality(s.runs[3]!)), 'paused');
    s = await sweep(id);
    // rung 0: 4 results → top 2 (configurations 0, 1); rung 1: 1 result (0) → none yet … then 1 reaches it.
    assert.equal(s.runs[1]!.status, 'queued', 'configuration 1 promoted from rung 0');
    assert.equal(await train(s.runs[1]!, quality(s.runs[1]!)), 'paused');
    s = await sweep(id);
    assert.equal(s.runs[0]!.status, 'queued', 'rung 1 holds 2 results: configuration 0 goes to the last rung');
    assert.equal(await train(s.runs[0]!, quality(s.runs[0]!)), 'succeeded');
    s = await sweep(id);
    assert.equal(s.status, 'completed');
    assert.deepEqual(s.runs.map((r) => r.status), ['succeeded', 'stopped', 'stopped', 'stopped']);
    assert.deepEqual(s.rungs.map((r) => [r.rung, r.epochs, r.results.length, r.results.filter((x) => x.promoted).length]), [[0, 1, 4, 2], [1, 2, 2, 1], [2, 4, 1, 0]]);
    // 4 + 2·(2−1) + 1·(4−2) = 8 run-epochs of a grid's 16.
    assert.deepEqual(s.compute, { spentEpochs: 4 + 2 + 2, gridEpochs: 16 });
  });

  void it('with replicates, a configuration is one trial: ranked by its replicates’ mean once all reported, promoted together', async () => {
    const created = await t.request('POST', '/api/sweeps', {
      projectId,
      name: 'asha-replicates',
      method: 'VICReg',
      strategy: 'asha',
      baseConfig: { seed: 10 },
      replicates: 2,
      searchSpace: { base_lr: { distribution: 'log-uniform', min: 1e-4, max: 1e-1 } },
      asha: { minEpochs: 1, maxEpochs: 2, eta: 2, maxRuns: 2, metric: METRIC, mode: 'min' },
      maxConcurrency: 4,
    });
    assert.equal(created.status, 201, created.text);
    const id = created.body.id as string;
    let s = await sweep(id);
    assert.deepEqual(s.runs.map((r) => [r.sweepConfig, (r as unknown as { seed: number }).seed]), [[0, 10], [0, 11], [1, 10], [1, 11]]);
    // Configuration 1 is better on average (0.5 vs 1.0) though its second replicate is worse than 0's first.
    const values = new Map([[s.runs[0]!.id, 0.2], [s.runs[1]!.id, 1.8], [s.runs[2]!.id, 0.1], [s.runs[3]!.id, 0.9]]);
    // Each pauses; the last report completes configuration 1's result and promotes it in the same decision.
    for (const [i, run] of s.runs.entries()) assert.equal(await train(run, () => values.get(run.id)!), i === 3 ? 'queued' : 'paused', run.name);
    s = await sweep(id);
    assert.deepEqual(s.runs.map((r) => [r.status, r.attempt]), [['paused', 1], ['paused', 1], ['queued', 2], ['queued', 2]], 'configuration 1 promoted with both replicates');
    for (const run of s.runs.slice(2)) assert.equal(await train(run, () => 0), 'succeeded');
    s = await sweep(id);
    assert.equal(s.status, 'completed');
    assert.deepEqual(s.runs.map((r) => r.status), ['stopped', 'stopped', 'succeeded', 'succeeded'], 'configuration 0 stopped once nothing trained');
  });

  void it('a starting API re-adds the jobs of runs that hold a slot (a stop between a decision and its jobs); priority is the sweep’s', async () => {
    const created = await t.request('POST', '/api/sweeps', {
      projectId,
      name: 'asha-restart',
      method: 'VICReg',
      strategy: 'asha',
      searchSpace: { base_lr: { distribution: 'log-uniform', min: 1e-4, max: 1e-1 } },
      asha: { minEpochs: 1, maxEpochs: 4, eta: 2, maxRuns: 3, metric: METRIC, mode: 'min' },
      maxConcurrency: 2,
      priority: 500,
    });
    assert.equal(created.status, 201, created.text);
    const s = await sweep(created.body.id as string);
    assert.equal((await job(s.runs[0]!))?.opts.priority, bullPriority(500));
    await (await job(s.runs[1]!))!.remove();
    assert.equal(await job(s.runs[1]!), undefined);
    await t.app.get(AshaService).onApplicationBootstrap();
    assert.ok(await job(s.runs[1]!), 'the job is back');
    assert.equal(await job(s.runs[2]!), undefined, 'no third slot');
    await t.request('POST', `/api/sweeps/${created.body.id as string}/cancel`);
  });

  void it('cancels a sweep with paused runs; refuses asha options on other strategies', async () => {
    const created = await t.request('POST', '/api/sweeps', {
      projectId,
      name: 'asha-cancel',
      method: 'VICReg',
      strategy: 'asha',
      searchSpace: { base_lr: { distribution: 'log-uniform', min: 1e-4, max: 1e-1 } },
      asha: { minEpochs: 1, maxEpochs: 4, eta: 2, maxRuns: 3, metric: METRIC, mode: 'min' },
      maxConcurrency: 1,
    });
    const id = created.body.id as string;
    let s = await sweep(id);
    assert.equal(await train(s.runs[0]!, () => 1), 'paused');
    const cancel = await t.request('POST', `/api/sweeps/${id}/cancel`);
    assert.equal(cancel.status, 200, cancel.text);
    s = await sweep(id);
    assert.deepEqual(s.runs.map((r) => r.status), ['canceled', 'canceled', 'canceled']);
    const bad = await t.request('POST', '/api/sweeps', { projectId, name: 'x', method: 'VICReg', searchSpace: { base_lr: { distribution: 'choice', values: [1] } }, asha: { minEpochs: 1, maxEpochs: 4, maxRuns: 3, metric: METRIC, mode: 'min' }, dryRun: true });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.issues[0].path, 'asha');
  });
});
