// Faults survived (issue #12): each fault reproduced for real against the running platform — real PostgreSQL,
// a Redis of the test's own, two API replicas, a runner training tiny VICReg runs (wasm, width 1/16, 32-pixel
// images of a tiny generated dataset) — and each ends with every metric step of the run stored exactly once.
//
//                       ┌─────────── TCP proxy "front" (fail-over: A, then B) ◄── runner (1 device)
//   dashboard client ─► │ replica B ◄┐   replica A ◄┘
//   (socket.io on B)    └────────────┴── both ── TCP proxy "db" ──► PostgreSQL
//                                    └── both, and the runner ──► redis-server (test's own, append-only)
//
//   1. Redis restarted mid-run (down for 10 s): the running job finishes, the queued job still runs, the APIs
//      stay up.
//   2. PostgreSQL unreachable for 30 s (the db proxy cut): the APIs answer 503, the runner spills and replays,
//      the APIs recover without a restart.
//   3. The runner cut off from the API for 60 s (the front paused).
//   4. A dashboard client on replica B receives the metrics the runner posts to replica A; replica A killed
//      (SIGKILL) mid-run: the runner fails over to B through the front.
// The cases share the platform and run in this order (4 kills replica A). The outages' lengths are part of the
// scenario; everything else waits on observable events (steps stored, run states, files, health answers).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { missingPlatformPieces, platformLogs, startPlatform } from '../lib/platform.mjs';
import { startRedisServer } from '../lib/redis-server.mjs';
import { LOSS, assertContiguous, filesUnder, storedRows as storedRowsOf, waitRun as waitRunOf } from '../lib/run-checks.mjs';
import { apiClient, freePort, waitFor } from '../lib/stack.mjs';
import { startTcpProxy } from '../lib/tcp-proxy.mjs';

const missing = missingPlatformPieces();
const skip = missing.length > 0 ? `the platform is not built: ${missing.join(', ')}` : false;

const METHOD = 'VICReg';
/** A tiny VICReg: the tiny dataset gives 3 steps per epoch at batch size 4. */
const tiny = (epochs) => ({ batch_size: 4, epochs, resolution: 32, width: 0.0625, mlp: '16-16' });
const RUNNER = 'r';
const REDIS_OUTAGE_MS = 10_000;
const POSTGRES_OUTAGE_MS = 30_000;
const PARTITION_MS = 60_000;

let work;
let redis;
let db;
let front;
let platform;
let replicaA;
let replicaB;
let project;
let dashboard;

before(async () => {
  if (skip) return;
  work = await mkdtemp(path.join(tmpdir(), 'equilab-faults-'));
  redis = await startRedisServer(path.join(work, 'redis'));
  const pg = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/equilab');
  db = await startTcpProxy({ host: pg.hostname, port: Number(pg.port || 5432) });
  platform = await startPlatform({ redisUrl: redis.url(0), apiEnv: (common) => ({ DATABASE_URL: db.rewrite(common.DATABASE_URL) }) });
  replicaA = { url: platform.apiUrl, port: Number(new URL(platform.apiUrl).port), process: platform.apiProcess };
  const portB = await freePort();
  replicaB = { url: `http://127.0.0.1:${portB}`, port: portB, process: await platform.startApi({ port: portB }) };
  replicaB.api = apiClient(replicaB.url, platform.token);
  front = await startTcpProxy([{ port: replicaA.port }, { port: replicaB.port }]);
  await platform.startRunner(RUNNER, { API_URL: `http://127.0.0.1:${front.port}` });
  project = await replicaB.api('/projects', { method: 'POST', body: { name: 'faults e2e' } });
  dashboard = await platform.subscribe([`project:${project.id}`], { url: replicaB.url });
});

after(async () => {
  await platform?.stop();
  await front?.close();
  await db?.close();
  await redis?.stop();
  if (work && !process.env.E2E_KEEP) await rm(work, { recursive: true, force: true });
});

/** Wraps a case: on failure, prints the processes' last lines. */
function withLogs(fn) {
  return async () => {
    try {
      await fn();
    } catch (error) {
      if (platform) console.error(`${platformLogs(platform)}\n--- redis ---\n${redis?.handle?.tail(20) ?? ''}`);
      throw error;
    }
  };
}

/** The API of replica B: up through every case (replica A is killed in the last). */
const api = (...args) => replicaB.api(...args);

/** Metrics at every step, so that a lost or doubled point shows in the series. */
const EVERY_STEP = { steps: 1, seconds: 0 };
const createRun = (name, config) =>
  api('/runs', { method: 'POST', body: { projectId: project.id, name, method: METHOD, config, seed: 7, backend: 'wasm', logEvery: EVERY_STEP } });

const waitRun = (runId, what, check, timeout = 480_000) => waitRunOf(api, runId, what, check, timeout);
const storedRows = (runId) => storedRowsOf(replicaB.url, platform.token, runId);

/** The run succeeded and every step of its loss is stored exactly once; returns the stored rows. */
async function assertSucceededWithEveryStep(runId, what) {
  const done = await waitRun(runId, 'to succeed', (run) => run.status === 'succeeded');
  const rows = await storedRows(runId);
  assertContiguous(rows, done.totalSteps, what);
  return rows;
}

const spillDir = () => path.join(platform.baseDir, RUNNER, 'spill');

/** Waits out the rest of an outage of `ms` that began at `since` (the outage's length is the scenario). */
async function outageOf(ms, since) {
  const left = since + ms - Date.now();
  if (left > 0) await sleep(left);
}

/** The pretrain queue's counts and jobs (`GET /queue` lists the first 100 of each state but completed). */
async function pretrainQueue() {
  const { queues } = await api('/queue');
  return queues.find((queue) => queue.name === 'pretrain');
}

/** An authenticated GET straight to a replica: `{ status, body }`. */
async function rawGet(baseUrl, pathname) {
  const response = await fetch(`${baseUrl}/api${pathname}`, { headers: { authorization: `Bearer ${platform.token}` } });
  const text = await response.text();
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: text ? JSON.parse(text) : undefined };
}

test('1. Redis restarted mid-run: the running job finishes, the queued job still runs, every step stored once', { skip, timeout: 900_000 }, withLogs(async () => {
  const { counts: countsBefore } = await pretrainQueue();
  const running = await createRun('redis restart: running', tiny(8));
  const queued = await createRun('redis restart: queued', tiny(2));
  await waitRun(running.id, 'to be training', (run) => run.status === 'running' && run.step >= 2);
  // The runner has one device: the second run's job waits in Redis.
  assert.equal((await api(`/runs/${queued.id}`)).status, 'queued');

  const runner = platform.runners.get(RUNNER);
  const seen = runner.output.length;
  const storedBefore = (await storedRows(running.id)).length;
  const downAt = Date.now();
  // The running run's job is active in Redis, the queued run's job waits there.
  await redis.stop();
  try {
    // Down (at least REDIS_OUTAGE_MS) until the APIs and the runner have noticed, and metric points went through
    // the API meanwhile (stored, and handed to the socket.io adapter, whose publishes fail).
    for (const replica of [replicaA, replicaB]) {
      await waitFor(`replica :${replica.port} to report Redis down`, async () => {
        const health = await fetch(`${replica.url}/api/health`);
        return health.status === 503 && (await health.json()).redis.ok === false;
      }, { timeout: 60_000 });
    }
    await waitFor('the runner to lose Redis', () => runner.output.slice(seen).some((line) => line.includes('ECONNREFUSED')), { timeout: 60_000 });
    await waitFor('metric points stored while Redis is down', async () => (await storedRows(running.id)).length > storedBefore, { timeout: 120_000 });
    await outageOf(REDIS_OUTAGE_MS, downAt);
  } finally {
    await redis.start();
  }
  assert.equal(redis.starts, 2, 'redis-server was stopped and started again');

  await assertSucceededWithEveryStep(running.id, 'the run trained across the restart');
  await assertSucceededWithEveryStep(queued.id, 'the run queued during the restart');
  // Both jobs (kept by the append-only file) completed, once each: none left waiting, active or failed, and
  // neither run was trained again from a checkpoint.
  await waitFor('both jobs to complete', async () => {
    const { counts, jobs } = await pretrainQueue();
    const left = jobs.filter((job) => job.runId === running.id || job.runId === queued.id);
    return left.length === 0 && counts.completed === countsBefore.completed + 2;
  }, { timeout: 60_000 });
  assert.equal((await pretrainQueue()).counts.failed, countsBefore.failed, 'no job failed');
  for (const run of [running, queued]) {
    assert.equal((await api(`/runs/${run.id}`)).attempt, 1);
    assert.ok(!runner.output.some((line) => line.includes(`run ${run.id}`) && line.includes('resuming from')), `run ${run.id} was not trained again`);
  }
  for (const replica of [replicaA, replicaB]) replica.process.assertAlive();
}));

test('2. PostgreSQL unreachable for 30 s: the APIs answer 503, the runner spills and replays, no point lost', { skip, timeout: 900_000 }, withLogs(async () => {
  // Long enough to be still training when the cut comes on a loaded machine (a 30-step run could end first: nothing to spill).
  const created = await createRun('postgres outage', tiny(40));
  await waitRun(created.id, 'to be training', (run) => run.status === 'running' && run.step >= 2);
  const cutAt = Date.now();
  db.cut();
  try {
    for (const replica of [replicaA, replicaB]) {
      // Each replica answers 503 with the error body, not 500; its health check names the database.
      const answer = await rawGet(replica.url, `/runs/${created.id}`);
      assert.equal(answer.status, 503, `GET /runs/:id on :${replica.port} during the outage: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body?.error?.code, 'unavailable');
      assert.match(answer.body.error.message, /database/i);
      assert.match(answer.retryAfter ?? '', /^[1-9][0-9]*$/, 'a Retry-After header');
      const health = await fetch(`${replica.url}/api/health`);
      assert.equal(health.status, 503);
      const report = await health.json();
      assert.equal(report.postgres.ok, false);
      assert.equal(report.redis.ok, true);
    }
    // The runner's metric posts are answered 503: it spills them to disk.
    await waitFor('the runner to spill metric points', async () => (await filesUnder(spillDir())).length > 0, { timeout: POSTGRES_OUTAGE_MS * 4, interval: 200 });
    await outageOf(POSTGRES_OUTAGE_MS, cutAt);
  } finally {
    db.resume();
  }
  // The same API processes recover: no restart.
  for (const replica of [replicaA, replicaB]) {
    await waitFor(`replica :${replica.port} healthy again`, async () => (await fetch(`${replica.url}/api/health`)).ok, { timeout: 60_000 });
    replica.process.assertAlive();
  }
  await assertSucceededWithEveryStep(created.id, 'after the PostgreSQL outage');
  await waitFor('the spill to be replayed and removed', async () => (await filesUnder(spillDir())).length === 0, { timeout: 60_000 });
}));

test('3. the runner cut off from the API for 60 s: no point lost, the series contiguous', { skip, timeout: 900_000 }, withLogs(async () => {
  const created = await createRun('partition', tiny(10));
  const before = await waitRun(created.id, 'to be training', (run) => run.status === 'running' && run.step >= 2);
  const runner = platform.runners.get(RUNNER);
  const seen = runner.output.length;
  const pausedAt = Date.now();
  front.pause();
  try {
    // The runner's requests hang until its own timeout: it finds the API unreachable.
    await waitFor('the runner to find the API unreachable', () => runner.output.slice(seen).some((line) => line.includes('API unreachable')), { timeout: PARTITION_MS * 2 });
    await outageOf(PARTITION_MS, pausedAt);
  } finally {
    front.resume();
  }
  const rows = await assertSucceededWithEveryStep(created.id, 'after the partition');
  assert.ok(rows.length > before.step, 'the run went on past the step it had reached when cut off');
  await waitFor('the spill to be replayed and removed', async () => (await filesUnder(spillDir())).length === 0, { timeout: 60_000 });
}));

test('4. two replicas: a client on B receives the points posted to A; killing A loses no stored point', { skip, timeout: 900_000 }, withLogs(async () => {
  const created = await createRun('replica failover', tiny(10));
  await waitRun(created.id, 'to be training', (run) => run.status === 'running' && run.step >= 2);
  // The front sends the runner's connections to replica A while it is up; the dashboard is on B.
  assert.ok((front.connectionsTo.get(replicaA.port) ?? 0) > 0, 'the runner talks to replica A');
  assert.equal(front.connectionsTo.get(replicaB.port) ?? 0, 0, 'and not to replica B');
  await waitFor('points of the run on replica B\'s socket', () => dashboard.points(created.id, LOSS).length >= 2, { timeout: 60_000 });

  const lastSeen = Math.max(...dashboard.points(created.id, LOSS).map((p) => p.step));
  assert.equal((await api(`/runs/${created.id}`)).status, 'running', 'the run is still training when replica A is killed');
  process.kill(-replicaA.process.child.pid, 'SIGKILL');
  assert.equal((await replicaA.process.exit).signal, 'SIGKILL');

  const rows = await assertSucceededWithEveryStep(created.id, 'after replica A was killed');
  assert.ok((front.connectionsTo.get(replicaB.port) ?? 0) > 0, 'the runner failed over to replica B');
  assert.ok(rows.at(-1).step > lastSeen, 'the run went on after the kill');
  // Points posted to B after the kill reach B's client too.
  await waitFor('the last step on replica B\'s socket', () => dashboard.points(created.id, LOSS).some((p) => p.step === rows.at(-1).step), { timeout: 30_000 });
}));
