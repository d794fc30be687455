// End-to-end tests of the platform without the dashboard: real PostgreSQL, Redis, API, runners and the TensorFlow.js
// trainer (wasm, ResNet-18 at width 1/16 on 32-pixel images of a tiny generated dataset). The cases share one
// platform and run in order; each observes the system only through REST, socket.io and the processes' exits:
//   1. a run trains to `succeeded`: metrics over REST (series + summary) and socket.io, artifacts with size/sha256
//   2. cancel a running run → `canceled`, its last checkpoint kept
//   6. a 2-run grid sweep with maxConcurrency 1 never has two runs running
//   5. the API restarted mid-run loses no metric point (the runner spills and replays)
//   3. SIGTERM of a runner preempts its run; another runner resumes it from the checkpoint
//   4. SIGKILL of a runner: the stalled job is taken over by another runner from the last checkpoint
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { missingPlatformPieces, platformLogs, startPlatform } from '../lib/platform.mjs';
import { LOSS, assertContiguous, filesUnder, storedRows as storedRowsOf, waitRun as waitRunOf } from '../lib/run-checks.mjs';
import { waitFor } from '../lib/stack.mjs';

const missing = missingPlatformPieces();
const skip = missing.length > 0 ? `the platform is not built: ${missing.join(', ')}` : false;

const METHOD = 'VICReg';
/** A tiny VICReg: width 1/16, 32-pixel images; the tiny dataset gives 3 steps per epoch at batch size 4. */
// Runs that get interrupted (API restart, SIGTERM, SIGKILL) are long enough (12 epochs × 3 steps) that the
// interruption lands mid-run even on a fast machine.
const tiny = (epochs, extra = {}) => ({ batch_size: 4, epochs, resolution: 32, width: 0.0625, mlp: '16-16', ...extra });
// Short BullMQ locks so a killed runner's job is found stalled within seconds.
const RUNNER_ENV = { RUNNER_LOCK_DURATION_MS: '6000', RUNNER_STALLED_INTERVAL_MS: '1000' };

let platform;
let project;
let socket;

before(async () => {
  if (skip) return;
  platform = await startPlatform({ runnerEnv: RUNNER_ENV });
  await Promise.all([platform.startRunner('a'), platform.startRunner('b')]);
  project = await platform.api('/projects', { method: 'POST', body: { name: 'platform e2e' } });
  socket = await platform.subscribe([`project:${project.id}`]);
});

after(async () => {
  await platform?.stop();
});

/** Wraps a case: on failure, prints the processes' last lines. */
function withLogs(fn) {
  return async () => {
    try {
      await fn();
    } catch (error) {
      if (platform) console.error(platformLogs(platform));
      throw error;
    }
  };
}

const createRun = (name, config, extra = {}) =>
  platform.api('/runs', { method: 'POST', body: { projectId: project.id, name, method: METHOD, config, seed: 7, backend: 'wasm', logEvery: { steps: 1, seconds: 0 }, ...extra } });

const waitRun = (runId, what, check, timeout = 180_000) => waitRunOf(platform.api, runId, what, check, timeout);
const storedRows = (runId) => storedRowsOf(platform.apiUrl, platform.token, runId);

async function artifacts(runId) {
  return (await platform.api(`/runs/${runId}/artifacts`)).items;
}

/** The artifact is in the store with the registered size and sha256. */
async function assertStored(artifact) {
  const bytes = await readFile(path.join(platform.common.ARTIFACT_DIR, artifact.path));
  assert.equal(bytes.length, artifact.size, `${artifact.kind} size`);
  assert.equal(createHash('sha256').update(bytes).digest('hex'), artifact.sha256, `${artifact.kind} sha256`);
}

/** The runner (name) whose log shows it took the job of `runId` most recently. */
function runnerOf(runId) {
  for (const [name, runner] of platform.runners) {
    if (!runner.exited && runner.output.some((line) => line.includes(`run ${runId}`) && line.includes('started on'))) return name;
  }
  return undefined;
}

test('1. a run trains to succeeded: metrics over REST and socket.io, checkpoint and final weights registered', { skip, timeout: 240_000 }, withLogs(async () => {
  const created = await createRun('full', tiny(2));
  assert.equal(created.status, 'queued');
  const done = await waitRun(created.id, 'to succeed', (run) => run.status === 'succeeded');
  const total = done.totalSteps;
  assert.ok(total >= 2, `totalSteps ${total}`);
  assert.equal(done.step, total);
  assert.equal(done.backend, 'wasm');
  assert.ok(done.startedAt && done.finishedAt);

  // REST: the series (not downsampled at this size) and the summary.
  const { series } = await platform.api(`/runs/${created.id}/metrics?keys=${encodeURIComponent(LOSS)}`);
  assert.equal(series.length, 1);
  assert.equal(series[0].total, total);
  assert.deepEqual(series[0].points.map((p) => p.step), Array.from({ length: total }, (_, i) => i));
  assert.ok(series[0].points.every((p) => Number.isFinite(p.value)));
  const summary = await platform.api(`/runs/${created.id}/metrics/summary`);
  const loss = summary.metrics.find((m) => m.key === LOSS);
  assert.ok(loss, 'the summary lists the loss');
  assert.equal(loss.count, total);
  assert.equal(loss.lastStep, total - 1);
  assert.equal(loss.last, series[0].points.at(-1).value);
  assert.ok(done.latestMetrics[LOSS], 'the run detail carries the latest loss');

  // socket.io: every point reached the subscribed client, with the stored values.
  await waitFor('the loss points on the socket', () => socket.points(created.id, LOSS).length >= total, { timeout: 10_000 });
  const live = new Map(socket.points(created.id, LOSS).map((p) => [p.step, p.value]));
  for (const p of series[0].points) assert.equal(live.get(p.step), p.value, `socket value at step ${p.step}`);
  assert.ok(socket.events.run.some((e) => e.run.id === created.id && e.run.status === 'running'), 'a running event');
  await waitFor('the succeeded event on the socket', () => socket.events.run.some((e) => e.run.id === created.id && e.run.status === 'succeeded'), { timeout: 10_000 });

  // Artifacts: the last checkpoint and the final weights, registered with size and sha256 of the stored files.
  const items = await artifacts(created.id);
  const checkpoint = items.filter((a) => a.kind === 'checkpoint').at(-1);
  const finalWeights = items.find((a) => a.kind === 'final-weights');
  assert.ok(checkpoint, 'a checkpoint artifact');
  assert.ok(finalWeights, 'a final-weights artifact');
  assert.equal(finalWeights.step, total);
  for (const artifact of [checkpoint, finalWeights]) {
    assert.match(artifact.sha256, /^[0-9a-f]{64}$/);
    assert.ok(artifact.size > 0);
    await assertStored(artifact);
  }
}));

test('2. canceling a running run ends it canceled and keeps its last checkpoint', { skip, timeout: 240_000 }, withLogs(async () => {
  const created = await createRun('cancel', tiny(500));
  // Past the first epoch so the run has trained for real.
  await waitRun(created.id, 'to pass its first epoch', (run) => run.status === 'running' && run.epoch >= 1);
  const canceled = await platform.api(`/runs/${created.id}/cancel`, { method: 'POST' });
  assert.equal(canceled.status, 'canceled');
  // The runner stops at the next step boundary, checkpoints and frees its slot.
  const name = runnerOf(created.id);
  assert.ok(name, 'a runner trained the run');
  const runner = platform.runners.get(name);
  await waitFor('the runner to hand the run back', () => runner.output.some((line) => line.includes(`run ${created.id}`) && /canceled/.test(line)), { timeout: 60_000 });
  const run = await platform.api(`/runs/${created.id}`);
  assert.equal(run.status, 'canceled', 'the cancel is not undone by the runner');
  const checkpoint = (await artifacts(created.id)).filter((a) => a.kind === 'checkpoint').at(-1);
  assert.ok(checkpoint, 'the last checkpoint is kept');
  assert.ok(checkpoint.step >= 3, `checkpoint at step ${checkpoint.step}`);
  await assertStored(checkpoint);
  assert.equal((await artifacts(created.id)).filter((a) => a.kind === 'final-weights').length, 0, 'no final weights');
  // Every trained step up to the checkpoint is stored, none missing.
  const rows = await storedRows(created.id);
  assert.deepEqual(rows.slice(0, checkpoint.step).map((r) => r.step), Array.from({ length: checkpoint.step }, (_, i) => i));
}));

test('6. a 2-run grid sweep with maxConcurrency 1 completes with never more than 1 run running', { skip, timeout: 300_000 }, withLogs(async () => {
  const sweep = await platform.api('/sweeps', {
    method: 'POST',
    body: {
      projectId: project.id,
      name: 'sequential sweep',
      method: METHOD,
      baseConfig: tiny(1),
      searchSpace: { base_lr: { distribution: 'choice', values: [0.001, 0.002] } },
      strategy: 'grid',
      maxConcurrency: 1,
      backend: 'wasm',
    },
  });
  assert.equal(sweep.runs.length, 2);
  assert.equal(sweep.maxConcurrency, 1);
  const ids = sweep.runs.map((r) => r.id);
  // Two idle runners could take both at once: only the sweep's limit keeps them apart.
  let maxRunning = 0;
  const final = await waitFor('the sweep to complete', async () => {
    const detail = await platform.api(`/sweeps/${sweep.id}`);
    const running = detail.runs.filter((r) => r.status === 'running').length;
    maxRunning = Math.max(maxRunning, running);
    for (const r of detail.runs) if (r.status === 'failed' || r.status === 'canceled') throw new Error(`sweep run ${r.id} ${r.status}: ${r.error}`);
    return detail.runs.every((r) => r.status === 'succeeded') && detail;
  }, { timeout: 280_000, interval: 200 });
  assert.ok(maxRunning <= 1, `REST saw ${maxRunning} runs running at once`);
  await waitFor('the sweep status', async () => (await platform.api(`/sweeps/${sweep.id}`)).status === 'completed', { timeout: 15_000 });

  // The runs' running intervals do not overlap.
  const [first, second] = [...final.runs].sort((x, y) => Date.parse(x.startedAt) - Date.parse(y.startedAt));
  assert.ok(Date.parse(first.finishedAt) <= Date.parse(second.startedAt), `run 2 started ${second.startedAt} before run 1 finished ${first.finishedAt}`);

  // The socket's run events, replayed in order, never show two of the sweep's runs running either.
  const state = new Map();
  let socketMax = 0;
  for (const { run } of socket.events.run) {
    if (!ids.includes(run.id)) continue;
    state.set(run.id, run.status);
    socketMax = Math.max(socketMax, [...state.values()].filter((s) => s === 'running').length);
  }
  assert.ok(state.size === 2 && [...state.values()].every((s) => s === 'succeeded'), 'the socket saw both runs succeed');
  assert.equal(socketMax, 1, 'the socket saw exactly one run running at a time');
}));

test('5. the API restarted mid-run loses no metric point: the runner spills and replays', { skip, timeout: 480_000 }, withLogs(async () => {
  // Long enough to be still training when the API stops on a loaded machine (a 36-step run could end first: nothing to spill).
  const created = await createRun('api restart', tiny(40));
  await waitRun(created.id, 'to be training', (run) => run.status === 'running' && run.step >= 1);
  const name = runnerOf(created.id);
  assert.ok(name, 'a runner trained the run');
  await platform.stopApi();
  // Wait until the runner, unable to deliver, has spilled points to disk. The API comes back whatever happens,
  // so a failure here does not take the later cases down with it.
  const spillDir = path.join(platform.baseDir, name, 'spill');
  try {
    await waitFor('the runner to spill metric points', async () => (await filesUnder(spillDir)).length > 0, { timeout: 240_000, interval: 200 });
  } finally {
    await platform.startApi();
  }
  const done = await waitRun(created.id, 'to succeed', (run) => run.status === 'succeeded');
  assertContiguous(await storedRows(created.id), done.totalSteps, 'after the API restart');
  await waitFor('the spill to be replayed and removed', async () => (await filesUnder(spillDir)).length === 0, { timeout: 30_000 });
}));

test('3. SIGTERM preempts the run; another runner resumes it from the checkpoint with contiguous steps', { skip, timeout: 300_000 }, withLogs(async () => {
  const created = await createRun('preempt', tiny(12));
  await waitRun(created.id, 'to be training', (run) => run.status === 'running' && run.step >= 2);
  const name = runnerOf(created.id);
  assert.ok(name, 'a runner trained the run');
  const other = [...platform.runners.keys()].find((n) => n !== name && !platform.runners.get(n).exited);
  assert.ok(other, 'a second runner is up');
  const exit = await platform.signalRunner(name, 'SIGTERM');
  const exitedAt = Date.now();
  assert.deepEqual(exit, { code: 0, signal: null }, 'the preempted runner exits 0');
  const checkpoint = (await artifacts(created.id)).filter((a) => a.kind === 'checkpoint').at(-1);
  assert.ok(checkpoint && checkpoint.step >= 2, 'the preempted run checkpointed where it stopped');
  // The API put the run back in the queue as a new attempt.
  await waitFor('the run back in the queue (socket)', () =>
    socket.events.run.some((e) => e.run.id === created.id && e.run.status === 'queued' && e.run.attempt === 2), { timeout: 30_000 });

  const done = await waitRun(created.id, 'to be resumed and succeed', (run) => run.status === 'succeeded');
  assert.ok(done.attempt >= 2, `attempt ${done.attempt}`);
  const resumer = platform.runners.get(other);
  assert.ok(resumer.output.some((line) => line.includes(`run ${created.id}`) && /resuming from/.test(line)), `runner ${other} resumed from the checkpoint`);
  const rows = await storedRows(created.id);
  assertContiguous(rows, done.totalSteps, 'after preemption');
  // Steps before the checkpoint were trained before the signal, none of them again.
  for (const row of rows) {
    if (row.step < checkpoint.step) assert.ok(Date.parse(row.time) < exitedAt, `step ${row.step} was trained before the preemption`);
    else assert.ok(Date.parse(row.time) > exitedAt, `step ${row.step} was trained after the resume`);
  }
}));

test('4. SIGKILL of the runner: the stalled job is resumed by another runner from the last checkpoint', { skip, timeout: 300_000 }, withLogs(async () => {
  const created = await createRun('crash', tiny(12));
  // Past a stored checkpoint (epoch end), mid-epoch.
  await waitRun(created.id, 'to pass a checkpoint', (run) => run.status === 'running' && run.step >= 4);
  const lastCheckpoint = (await artifacts(created.id)).filter((a) => a.kind === 'checkpoint').at(-1);
  assert.ok(lastCheckpoint, 'a checkpoint before the crash');
  const name = runnerOf(created.id);
  assert.ok(name, 'a runner trained the run');
  const killedAt = Date.now();
  const exit = await platform.signalRunner(name, 'SIGKILL');
  assert.equal(exit.signal, 'SIGKILL');
  // A fresh runner finds the job stalled once its lock expires, and takes it over.
  const rescuer = await platform.startRunner('c');
  const done = await waitRun(created.id, 'to be taken over and succeed', (run) => run.status === 'succeeded');
  assert.ok(
    rescuer.output.some((line) => line.includes(`run ${created.id}`) && /resuming from/.test(line)) ||
      [...platform.runners.values()].some((r) => r !== platform.runners.get(name) && r.output.some((line) => line.includes(`run ${created.id}`) && /resuming from/.test(line))),
    'a runner resumed from the stored checkpoint',
  );
  const rows = await storedRows(created.id);
  assertContiguous(rows, done.totalSteps, 'after the crash');
  for (const row of rows.filter((r) => r.step < lastCheckpoint.step)) assert.ok(Date.parse(row.time) < killedAt, `step ${row.step} was not trained again`);
}));
