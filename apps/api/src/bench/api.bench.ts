// npm run bench -w @equilab/api — the metric store and the live path, on their own database (BENCH_DATABASE,
// default equilab_bench, on the test server) and queue prefix. Prints ONE JSON line on stdout (progress: stderr):
// Sections alone: BENCH_SECTIONS=ingest,latency,compare,firstPaint (any subset; default all) and BENCH_REUSE_SEED=1
// to keep the compare seed between runs, e.g. after `npm run build`:
//   BENCH_SECTIONS=compare,firstPaint BENCH_REUSE_SEED=1 npm run bench -w @equilab/api
// (from the root: `BENCH_SECTIONS=… npm run bench -- api --no-build`). Every section reports the load average.
//   restIngest / pgCopy: WRITERS concurrent writers × POINTS_PER_WRITER points through the REST batch endpoint
//     (5,000-point batches: JSON, validation, COPY into the staging table, the set-based merge) next to a raw
//     COPY of the same rows into a row-per-point table shaped like the old "Metric" (uuid, text key, int step,
//     float8 value, timestamptz; primary key (run, key, step)) — the anchor — and repoIngest, the same
//     batches straight into MetricsRepository.upsert (the chunked store's own work: staging COPY + merge), so
//     restVsRepo is what HTTP/JSON/validation/live fan-out cost and repoVsCopy what the chunk merge costs;
//   storage: bytes per stored point (MetricChunk + MetricSeries, heap + TOAST + indexes) of the compare seed, and
//     of the row-per-point anchor table;
//   compare: the seed of COMPARE_RUNS runs × 10 keys × 10,000 points, then GET /api/metrics/compare downsampled to
//     1,000 points per series (each bucket's min/max in `band`): 100 runs × 1 key, 100 runs × 10 keys (format=columnar,
//     and the version-1 points format), and a zoom (fromStep/toStep, a quarter of the steps) re-bucketed to the
//     visible range; p50/p95 over repetitions (client-side wall time, response parsed and decoded);
//   compareFirstPaint: the Compare page of the seeded runs in headless chromium until every run's curve is drawn
//     (scripts/bench-compare-paint.mjs; needs apps/web built and /usr/bin/chromium), target ≤ 2 s;
//   socketLatency: 100 and 1,000 concurrent simulated runs (a worker thread) writing one-point batches; runner →
//     socket.io client latency p50/p99 (and the REST write's own latency).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { decodeColumnarSeries, METRICS_COALESCE_MS, METRICS_EVENT_MAX_POINTS, type ColumnarSeriesResponse, type SeriesResponse } from '@equilab/contracts';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { PgPoolService } from '../database/pg-pool.service';
import { PrismaService } from '../database/prisma.service';
import { MetricsRepository } from '../metrics/metrics.repository';
import { createProject, repoRoot, startTestApp, testDatabaseUrl, type TestApp } from '../testing/test-app';
import type { LiveLoadInput, LiveLoadResult } from './live-load.worker';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const WRITERS = env('BENCH_WRITERS', 4);
const POINTS_PER_WRITER = env('BENCH_POINTS_PER_WRITER', 50_000);
const BATCH = 5_000;
const COMPARE_RUNS = env('BENCH_COMPARE_RUNS', 100);
const COMPARE_KEYS = 10;
const COMPARE_POINTS = env('BENCH_COMPARE_POINTS', 10_000);
const COMPARE_REPS = env('BENCH_COMPARE_REPS', 10);
const LATENCY_SETUPS = [
  { runs: 100, intervalMs: 100 },
  { runs: 1_000, intervalMs: 1_000 },
];
const LATENCY_BATCHES = env('BENCH_LATENCY_BATCHES', 10);
/** BENCH_SECTIONS=ingest,latency,compare,firstPaint (comma list; default all): run some sections alone. */
const SECTIONS = new Set((process.env['BENCH_SECTIONS'] ?? 'ingest,latency,compare,firstPaint').split(',').filter(Boolean));
/** BENCH_REUSE_SEED=1: keep a compare seed of the same shape left by an earlier run (seeding 10⁷ points takes minutes). */
const REUSE_SEED = process.env['BENCH_REUSE_SEED'] === '1';
const T0 = 1_700_000_000_000;
const log = (line: string) => process.stderr.write(`api bench: ${line}\n`);

const points = (n: number, offset = 0) =>
  Array.from({ length: n }, (_, i) => ({ key: i % 2 ? 'loss' : 'acc', step: offset + (i >> 1), value: Math.random(), time: T0 + i }));

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const round = (x: number, digits = 1) => Number(x.toFixed(digits));

/** Runs with the required columns only, straight through Prisma (no queue jobs for runs nobody trains). */
async function seedRuns(t: TestApp, projectId: string, n: number, prefix: string): Promise<string[]> {
  const prisma = t.app.get(PrismaService);
  const data = Array.from({ length: n }, (_, i) => ({ projectId, name: `${prefix} ${i}`, method: 'VICReg', config: {}, seed: i, dataRoot: '/bench' }));
  await prisma.run.createMany({ data });
  const rows = await prisma.run.findMany({ where: { projectId, name: { startsWith: `${prefix} ` } }, select: { id: true, name: true } });
  return rows.sort((a, b) => Number(a.name.split(' ')[1]) - Number(b.name.split(' ')[1])).map((r) => r.id);
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const value = await fn();
  return [performance.now() - start, value];
}

async function restIngest(t: TestApp, projectId: string) {
  const runs = await seedRuns(t, projectId, WRITERS, 'rest');
  const bodies = Array.from({ length: POINTS_PER_WRITER / BATCH }, (_, b) => JSON.stringify({ points: points(BATCH, (b * BATCH) / 2) }));
  const [ms] = await timed(() =>
    Promise.all(
      runs.map(async (runId) => {
        for (const body of bodies) {
          const res = await fetch(`${t.baseUrl}/api/runs/${runId}/metrics`, {
            method: 'POST',
            headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' },
            body,
          });
          if (res.status !== 201) throw new Error(`REST write failed: ${res.status} ${await res.text()}`);
        }
      }),
    ),
  );
  return ms / 1000;
}

/** The same batches straight into MetricsRepository.upsert (COPY into staging + merge; no HTTP, JSON, validation or live fan-out). */
async function repoIngest(t: TestApp, projectId: string) {
  const runs = await seedRuns(t, projectId, WRITERS, 'repo');
  const repo = t.app.get(MetricsRepository);
  const batches = Array.from({ length: POINTS_PER_WRITER / BATCH }, (_, b) => points(BATCH, (b * BATCH) / 2));
  const [ms] = await timed(() =>
    Promise.all(
      runs.map(async (runId) => {
        for (const batch of batches) await repo.upsert(runId, batch);
      }),
    ),
  );
  return ms / 1000;
}

/** Raw COPY of the same rows into a row-per-point table shaped like the old "Metric" (the anchor). */
async function rawCopy(t: TestApp, projectId: string) {
  const runs = await seedRuns(t, projectId, WRITERS, 'copy');
  const pool = t.app.get(PgPoolService);
  await pool.query(`DROP TABLE IF EXISTS bench_copy_anchor`);
  await pool.query(`CREATE TABLE bench_copy_anchor ("runId" uuid NOT NULL, "key" text NOT NULL, "step" int NOT NULL, "value" float8 NOT NULL,
    "wallTime" timestamptz(3) NOT NULL, PRIMARY KEY ("runId", "key", "step"))`);
  const [ms] = await timed(() =>
    Promise.all(
      runs.map(async (runId) => {
        const client = new Client({ connectionString: process.env['TEST_DATABASE_URL'] });
        await client.connect();
        try {
          const stream = client.query(copyFrom('COPY bench_copy_anchor ("runId", "key", "step", "value", "wallTime") FROM STDIN'));
          const lines = function* () {
            for (let b = 0; b < POINTS_PER_WRITER / BATCH; b++) {
              let chunk = '';
              for (const p of points(BATCH, (b * BATCH) / 2)) chunk += `${runId}\t${p.key}\t${p.step}\t${p.value}\t${new Date(p.time).toISOString()}\n`;
              yield chunk;
            }
          };
          await pipeline(Readable.from(lines()), stream);
        } finally {
          await client.end();
        }
      }),
    ),
  );
  await pool.query(`VACUUM ANALYZE bench_copy_anchor`);
  const { rows } = await pool.query<{ bytes: string; n: string }>(`SELECT pg_total_relation_size('bench_copy_anchor') AS bytes, (SELECT count(*) FROM bench_copy_anchor) AS n`);
  const anchorBytesPerPoint = Number(rows[0]!.bytes) / Number(rows[0]!.n);
  await pool.query(`DROP TABLE bench_copy_anchor`);
  return { seconds: ms / 1000, anchorBytesPerPoint };
}

/** COMPARE_RUNS × 10 keys × COMPARE_POINTS points through the repository's COPY path (a random walk per series). */
async function seedCompare(t: TestApp, projectId: string): Promise<{ runs: string[]; keys: string[]; seconds: number }> {
  const runs = await seedRuns(t, projectId, COMPARE_RUNS, 'compare');
  const repo = t.app.get(MetricsRepository);
  const keys = Array.from({ length: COMPARE_KEYS }, (_, k) => (k === 0 ? 'loss' : `metric_${k}`));
  let next = 0;
  const [ms] = await timed(() =>
    Promise.all(
      Array.from({ length: 2 }, async () => {
        for (let i = next++; i < runs.length; i = next++) {
          for (const key of keys) {
            let v = 1;
            const batch = Array.from({ length: COMPARE_POINTS }, (_, step) => ({ key, step, value: (v += (Math.random() - 0.5) / 50), time: T0 + step * 1_000 }));
            for (let s = 0; s < batch.length; s += 10_000) await repo.upsert(runs[i]!, batch.slice(s, s + 10_000));
          }
        }
      }),
    ),
  );
  return { runs, keys, seconds: ms / 1000 };
}

async function storageOf(t: TestApp) {
  const pool = t.app.get(PgPoolService);
  await pool.query(`VACUUM ANALYZE "MetricChunk"`);
  await pool.query(`VACUUM ANALYZE "MetricSeries"`);
  const { rows } = await pool.query<{ chunk: string; series: string; points: string; chunks: string; nseries: string }>(
    `SELECT pg_total_relation_size('"MetricChunk"') AS chunk, pg_total_relation_size('"MetricSeries"') AS series,
            (SELECT sum(cardinality(steps)) FROM "MetricChunk") AS points, (SELECT count(*) FROM "MetricChunk") AS chunks,
            (SELECT count(*) FROM "MetricSeries") AS nseries`,
  );
  const r = rows[0]!;
  const bytes = Number(r.chunk) + Number(r.series);
  return { points: Number(r.points), series: Number(r.nseries), chunks: Number(r.chunks), bytes, bytesPerPoint: round(bytes / Number(r.points), 2) };
}

/**
 * The Compare page's first paint of every seeded run in headless chromium (scripts/bench-compare-paint.mjs: the
 * built dashboard against this API), spawned asynchronously so this process keeps serving the API meanwhile.
 */
async function firstPaintBench(t: TestApp, runs: string[]): Promise<Record<string, unknown>> {
  const root = repoRoot();
  if (!existsSync(path.join(root, 'apps/web/.next/BUILD_ID'))) return { skipped: 'the dashboard is not built (apps/web/.next)' };
  if (!existsSync(process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium')) return { skipped: 'no chromium (e2e/scripts/install-chromium.sh)' };
  const child = spawn(process.execPath, [path.join(root, 'scripts/bench-compare-paint.mjs')], {
    cwd: root,
    env: { ...process.env, BENCH_API_URL: t.baseUrl, BENCH_TOKEN: t.adminToken, BENCH_RUN_IDS: runs.join(','), BENCH_KEYS: String(COMPARE_KEYS) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const last = stdout.trimEnd().split('\n').pop() ?? '';
  try {
    return { ...(JSON.parse(last) as Record<string, unknown>), ...(code === 0 ? {} : { exitCode: code }) };
  } catch {
    return { error: `bench-compare-paint exited ${code} without a JSON line`, output: stdout.slice(-1000) };
  }
}

async function compareBench(t: TestApp, runs: string[], keys: string[]) {
  const get = async (query: string) => {
    const res = await fetch(`${t.baseUrl}/api/metrics/compare?${query}`, { headers: { authorization: `Bearer ${t.adminToken}` } });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`compare failed: ${res.status} ${text.slice(0, 300)}`);
    const body = JSON.parse(text) as SeriesResponse | ColumnarSeriesResponse;
    // a caller of the columnar form decodes it (prefix sums) before use: part of the measured time
    const series = 'format' in body ? body.series.map(decodeColumnarSeries) : body.series.map((x) => ({ total: x.total, steps: x.points, band: x.band }));
    return { bytes: text.length, series };
  };
  const measure = async (name: string, query: string, reps: number) => {
    const times: number[] = [];
    let last: Awaited<ReturnType<typeof get>> | undefined;
    for (let i = 0; i < reps; i++) {
      const [ms, r] = await timed(() => get(query));
      times.push(ms);
      last = r;
    }
    const s = last!.series;
    const out = {
      series: s.length,
      pointsPerSeries: Math.max(...s.map((x) => x.steps.length)),
      bucketsPerSeries: Math.max(...s.map((x) => (Array.isArray(x.band) ? x.band.length : (x.band?.fromStep.length ?? 0)))),
      storedPointsRead: s.reduce((n, x) => n + x.total, 0),
      responseBytes: last!.bytes,
      reps,
      p50Ms: round(percentile(times, 50)),
      p95Ms: round(percentile(times, 95)),
      loadAverage: os.loadavg().map((x) => round(x, 2)),
    };
    log(`${name}: ${JSON.stringify(out)}`);
    return out;
  };
  const ids = runs.join(',');
  const all = `runIds=${ids}&keys=${keys.join(',')}&points=1000`;
  const from = Math.floor(COMPARE_POINTS / 2);
  const to = from + Math.floor(COMPARE_POINTS / 4) - 1;
  return {
    seed: { runs: runs.length, keys: keys.length, pointsPerSeries: COMPARE_POINTS },
    oneKey: await measure('compare 100 runs × 1 key (columnar)', `runIds=${ids}&keys=loss&points=1000&format=columnar`, COMPARE_REPS),
    allKeys: await measure('compare 100 runs × 10 keys (columnar)', `${all}&format=columnar`, COMPARE_REPS),
    allKeysPointsFormat: await measure('compare 100 runs × 10 keys (points, version 1)', all, Math.max(3, Math.floor(COMPARE_REPS / 3))),
    zoom: {
      fromStep: from,
      toStep: to,
      ...(await measure('compare zoom, 100 runs × 10 keys (columnar)', `${all}&format=columnar&fromStep=${from}&toStep=${to}`, COMPARE_REPS)),
    },
  };
}

async function latencyBench(t: TestApp, projectId: string, setup: { runs: number; intervalMs: number }) {
  const runIds = await seedRuns(t, projectId, setup.runs, `latency${setup.runs}`);
  const input: LiveLoadInput = {
    baseUrl: t.baseUrl,
    token: t.adminToken,
    projectId,
    runIds,
    batches: LATENCY_BATCHES,
    intervalMs: setup.intervalMs,
    timeoutMs: 60_000,
  };
  const result = await new Promise<LiveLoadResult>((resolve, reject) => {
    const worker = new Worker(path.join(__dirname, 'live-load.worker.js'), { workerData: input });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const out = {
    runs: setup.runs,
    meanIntervalMs: setup.intervalMs,
    batches: result.expected,
    received: result.latencies.length,
    writesPerSecond: Math.round(result.expected / result.seconds),
    p50Ms: percentile(result.latencies, 50),
    p99Ms: percentile(result.latencies, 99),
    maxMs: percentile(result.latencies, 100),
    restWriteP50Ms: percentile(result.writeLatencies, 50),
    restWriteP99Ms: percentile(result.writeLatencies, 99),
    events: result.events,
    maxEventPoints: result.maxEventPoints,
  };
  log(`latency: ${JSON.stringify(out)}`);
  return out;
}

const SEED_PROJECT = `bench seed ${COMPARE_RUNS}x${COMPARE_KEYS}x${COMPARE_POINTS}`;

/** The compare seed: reused when BENCH_REUSE_SEED=1 and a complete one exists, else (re)made. */
async function compareSeed(t: TestApp): Promise<{ runs: string[]; keys: string[]; seconds: number | null; storage: Awaited<ReturnType<typeof storageOf>> }> {
  const pool = t.app.get(PgPoolService);
  const prisma = t.app.get(PrismaService);
  if (REUSE_SEED) {
    const project = await prisma.project.findFirst({ where: { name: SEED_PROJECT }, select: { id: true } });
    if (project) {
      const runs = await prisma.run.findMany({ where: { projectId: project.id }, select: { id: true, name: true } });
      const { rows } = await pool.query<{ n: string }>(
        `SELECT coalesce(sum(cardinality(c.steps)), 0) AS n FROM "MetricChunk" c JOIN "MetricSeries" s ON s.id = c."seriesId" JOIN "Run" r ON r.id = s."runId" WHERE r."projectId" = $1`,
        [project.id],
      );
      if (runs.length === COMPARE_RUNS && Number(rows[0]!.n) === COMPARE_RUNS * COMPARE_KEYS * COMPARE_POINTS) {
        log(`reusing the compare seed (${SEED_PROJECT})`);
        const keys = Array.from({ length: COMPARE_KEYS }, (_, k) => (k === 0 ? 'loss' : `metric_${k}`));
        const ids = runs.sort((a, b) => Number(a.name.split(' ')[1]) - Number(b.name.split(' ')[1])).map((r) => r.id);
        return { runs: ids, keys, seconds: null, storage: await storageOf(t) };
      }
    }
  }
  await pool.query(`DELETE FROM "Project" WHERE name LIKE 'bench %'`);
  await pool.query(`TRUNCATE "MetricSeries", "MetricChunk"`);
  const projectId = await createProject(t, SEED_PROJECT);
  log(`seeding ${COMPARE_RUNS} runs × ${COMPARE_KEYS} keys × ${COMPARE_POINTS} points`);
  const seed = await seedCompare(t, projectId);
  return { ...seed, storage: await storageOf(t) };
}

async function main(): Promise<void> {
  const u = new URL(testDatabaseUrl());
  u.pathname = `/${process.env['BENCH_DATABASE'] ?? 'equilab_bench'}`;
  process.env['TEST_DATABASE_URL'] = u.toString();
  const t = await startTestApp({ QUEUE_PREFIX: 'equilab-bench', SOCKET_CHANNEL_PREFIX: 'equilab-bench-socket', RATE_LIMIT_PER_MINUTE: '100000000' });
  const pool = t.app.get(PgPoolService);
  const loadAverage = { before: os.loadavg().map((x) => round(x, 2)) };
  const result: Record<string, unknown> = { bench: 'api', sections: [...SECTIONS] };
  try {
    // the sections that write points use a project of their own, deleted at the end (the compare seed stays
    // when it is to be reused)
    await pool.query(`DELETE FROM "Project" WHERE name LIKE 'bench 2%'`);
    const projectId = await createProject(t, `bench ${new Date().toISOString()}`);

    if (SECTIONS.has('ingest')) {
      log('REST ingestion');
      const restSeconds = await restIngest(t, projectId);
      log('repository upsert (the store’s own work)');
      const repoSeconds = await repoIngest(t, projectId);
      log('raw COPY anchor');
      const copy = await rawCopy(t, projectId);
      const restPoints = WRITERS * POINTS_PER_WRITER;
      result['restIngest'] = { writers: WRITERS, points: restPoints, batch: BATCH, seconds: round(restSeconds, 3), pointsPerSecond: Math.round(restPoints / restSeconds) };
      result['pgCopy'] = { writers: WRITERS, points: restPoints, seconds: round(copy.seconds, 3), pointsPerSecond: Math.round(restPoints / copy.seconds), table: 'row per point (old Metric layout)' };
      result['restVsCopy'] = round(copy.seconds / restSeconds, 3);
      // like-for-like: the anchor COPYs rows into a plain table; the store COPYs into staging and merges into chunks
      result['repoIngest'] = { writers: WRITERS, points: restPoints, batch: BATCH, seconds: round(repoSeconds, 3), pointsPerSecond: Math.round(restPoints / repoSeconds) };
      result['restVsRepo'] = round(repoSeconds / restSeconds, 3);
      result['repoVsCopy'] = round(copy.seconds / repoSeconds, 3);
      result['rowPerPointBytesPerPoint'] = round(copy.anchorBytesPerPoint, 1);
    }

    if (SECTIONS.has('latency')) {
      const socketLatency = [];
      for (const setup of LATENCY_SETUPS) {
        log(`live latency, ${setup.runs} runs`);
        socketLatency.push(await latencyBench(t, projectId, setup));
      }
      result['socketLatency'] = socketLatency.map((s) => ({ ...s, throttleMs: METRICS_COALESCE_MS, eventMaxPoints: METRICS_EVENT_MAX_POINTS }));
    }
    await pool.query('DELETE FROM "Project" WHERE id = $1', [projectId]);

    if (SECTIONS.has('compare') || SECTIONS.has('firstPaint')) {
      const seed = await compareSeed(t);
      log(`storage: ${JSON.stringify(seed.storage)}`);
      result['storage'] = {
        ...seed.storage,
        seedSeconds: seed.seconds === null ? null : round(seed.seconds, 1),
        seedPointsPerSecond: seed.seconds === null ? null : Math.round(seed.storage.points / seed.seconds),
        target: 48,
      };
      if (SECTIONS.has('compare')) result['compare'] = await compareBench(t, seed.runs, seed.keys);
      result['compareFirstPaint'] = SECTIONS.has('firstPaint') ? await firstPaintBench(t, seed.runs) : { skipped: 'section not selected (BENCH_SECTIONS)' };
      if (!REUSE_SEED) await pool.query(`DELETE FROM "Project" WHERE name = $1`, [SEED_PROJECT]);
    }
    result['loadAverage'] = { ...loadAverage, after: os.loadavg().map((x) => round(x, 2)) };
    console.log(JSON.stringify(result));
  } finally {
    await t.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
