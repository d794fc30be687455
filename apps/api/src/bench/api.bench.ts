// npm run bench -w @equilab/api — the metric store and the live path, on their own database (BENCH_DATABASE,
// default equilab_bench, on the test server) and queue prefix. Prints ONE JSON line on stdout (progress: stderr):
//   restIngest / pgCopy: WRITERS concurrent writers × POINTS_PER_WRITER points through the REST batch endpoint
//     (5,000-point batches: JSON, validation, COPY into the staging table, the set-based merge) next to a raw
//     COPY of the same rows into a row-per-point table shaped like the old "Metric" (uuid, text key, int step,
//     float8 value, timestamptz; primary key (run, key, step)) — the anchor;
//   storage: bytes per stored point (MetricChunk + MetricSeries, heap + TOAST + indexes) of the compare seed, and
//     of the row-per-point anchor table;
//   compare: the seed of COMPARE_RUNS runs × 10 keys × 10,000 points, then GET /api/metrics/compare downsampled to
//     1,000 points per series (each bucket's min/max in `band`): 100 runs × 1 key, 100 runs × 10 keys, and a zoom
//     (fromStep/toStep) re-bucketed to the visible range; p50/p95 over repetitions (client-side wall time, response
//     parsed);
//   socketLatency: 100 and 1,000 concurrent simulated runs (a worker thread) writing one-point batches; runner →
//     socket.io client latency p50/p99 (and the REST write's own latency).
import { Worker } from 'node:worker_threads';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { METRICS_COALESCE_MS, METRICS_EVENT_MAX_POINTS, type SeriesResponse } from '@equilab/contracts';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { PgPoolService } from '../database/pg-pool.service';
import { PrismaService } from '../database/prisma.service';
import { MetricsRepository } from '../metrics/metrics.repository';
import { createProject, startTestApp, testDatabaseUrl, type TestApp } from '../testing/test-app';
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
async function seedCompare(t: TestApp, projectId: string) {
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

async function compareBench(t: TestApp, runs: string[], keys: string[]) {
  const get = async (query: string) => {
    const res = await fetch(`${t.baseUrl}/api/metrics/compare?${query}`, { headers: { authorization: `Bearer ${t.adminToken}` } });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`compare failed: ${res.status} ${text.slice(0, 300)}`);
    return { bytes: text.length, body: JSON.parse(text) as SeriesResponse };
  };
  const measure = async (name: string, query: string, reps: number) => {
    const times: number[] = [];
    let last: { bytes: number; body: SeriesResponse } | undefined;
    for (let i = 0; i < reps; i++) {
      const [ms, r] = await timed(() => get(query));
      times.push(ms);
      last = r;
    }
    const s = last!.body.series;
    const out = {
      series: s.length,
      pointsPerSeries: Math.max(...s.map((x) => x.points.length)),
      bucketsPerSeries: Math.max(...s.map((x) => x.band?.length ?? 0)),
      storedPointsRead: s.reduce((n, x) => n + x.total, 0),
      responseBytes: last!.bytes,
      reps,
      p50Ms: round(percentile(times, 50)),
      p95Ms: round(percentile(times, 95)),
    };
    log(`${name}: ${JSON.stringify(out)}`);
    return out;
  };
  const ids = runs.join(',');
  const mid = Math.floor(COMPARE_POINTS / 2);
  return {
    seed: { runs: runs.length, keys: keys.length, pointsPerSeries: COMPARE_POINTS },
    oneKey: await measure('compare 100 runs × 1 key', `runIds=${ids}&keys=loss&points=1000`, COMPARE_REPS),
    allKeys: await measure('compare 100 runs × 10 keys', `runIds=${ids}&keys=${keys.join(',')}&points=1000`, Math.max(3, Math.floor(COMPARE_REPS / 3))),
    zoom: {
      fromStep: mid,
      toStep: mid + COMPARE_POINTS / 10 - 1,
      ...(await measure('compare zoom', `runIds=${ids}&keys=loss&points=1000&fromStep=${mid}&toStep=${mid + COMPARE_POINTS / 10 - 1}`, COMPARE_REPS)),
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

async function main(): Promise<void> {
  const u = new URL(testDatabaseUrl());
  u.pathname = `/${process.env['BENCH_DATABASE'] ?? 'equilab_bench'}`;
  process.env['TEST_DATABASE_URL'] = u.toString();
  const t = await startTestApp({ QUEUE_PREFIX: 'equilab-bench', SOCKET_CHANNEL_PREFIX: 'equilab-bench-socket', RATE_LIMIT_PER_MINUTE: '100000000' });
  const pool = t.app.get(PgPoolService);
  const loadAverage = { before: os.loadavg().map((x) => round(x, 2)) };
  try {
    // start from an empty metric store so the storage figure is of the seed alone
    await pool.query(`DELETE FROM "Project" WHERE name LIKE 'bench %'`);
    await pool.query(`TRUNCATE "MetricSeries", "MetricChunk"`);
    const projectId = await createProject(t, `bench ${new Date().toISOString()}`);

    log('REST ingestion');
    const restSeconds = await restIngest(t, projectId);
    log('raw COPY anchor');
    const copy = await rawCopy(t, projectId);
    const restPoints = WRITERS * POINTS_PER_WRITER;

    const socketLatency = [];
    for (const setup of LATENCY_SETUPS) {
      log(`live latency, ${setup.runs} runs`);
      socketLatency.push(await latencyBench(t, projectId, setup));
    }

    await pool.query(`TRUNCATE "MetricSeries", "MetricChunk"`);
    log(`seeding ${COMPARE_RUNS} runs × ${COMPARE_KEYS} keys × ${COMPARE_POINTS} points`);
    const seed = await seedCompare(t, projectId);
    const storage = await storageOf(t);
    log(`storage: ${JSON.stringify(storage)}`);
    const compare = await compareBench(t, seed.runs, seed.keys);

    await pool.query('DELETE FROM "Project" WHERE id = $1', [projectId]);
    const result = {
      bench: 'api',
      loadAverage: { ...loadAverage, after: os.loadavg().map((x) => round(x, 2)) },
      restIngest: { writers: WRITERS, points: restPoints, batch: BATCH, seconds: round(restSeconds, 3), pointsPerSecond: Math.round(restPoints / restSeconds) },
      pgCopy: { writers: WRITERS, points: restPoints, seconds: round(copy.seconds, 3), pointsPerSecond: Math.round(restPoints / copy.seconds), table: 'row per point (old Metric layout)' },
      restVsCopy: round(copy.seconds / restSeconds, 3),
      storage: {
        ...storage,
        seedSeconds: round(seed.seconds, 1),
        seedPointsPerSecond: Math.round(storage.points / seed.seconds),
        rowPerPointBytesPerPoint: round(copy.anchorBytesPerPoint, 1),
        target: 48,
      },
      compare,
      compareFirstPaint: { skipped: 'not measured by this bench (see README performance section)' },
      socketLatency: socketLatency.map((s) => ({ ...s, throttleMs: METRICS_COALESCE_MS, eventMaxPoints: METRICS_EVENT_MAX_POINTS })),
    };
    console.log(JSON.stringify(result));
  } finally {
    await t.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
