 
// npm run bench -w @equilab/api — metric ingestion through the REST batch endpoint (several concurrent writers)
// next to a raw PostgreSQL COPY of the same rows, and runner → socket client latency with 100 simulated runs.
// Uses its own database (equilab_bench on the test server) and queue prefix. Prints ONE JSON line on stdout.
import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { projectRoom, SOCKET_PATH, type MetricsEvent } from '@equilab/contracts';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { io } from 'socket.io-client';
import { PgPoolService } from '../database/pg-pool.service';
import { createProject, createRun, jobRunToken, startTestApp, testDatabaseUrl } from '../testing/test-app';

const WRITERS = Number(process.env['BENCH_WRITERS'] ?? 4);
const POINTS_PER_WRITER = Number(process.env['BENCH_POINTS_PER_WRITER'] ?? 50_000);
const BATCH = 5_000;
const LATENCY_RUNS = 100;
const LATENCY_BATCHES = Number(process.env['BENCH_LATENCY_BATCHES'] ?? 10);

const points = (n: number, offset = 0) =>
  Array.from({ length: n }, (_, i) => ({ key: i % 2 ? 'loss' : 'acc', step: offset + (i >> 1), value: Math.random(), time: 1_700_000_000_000 + i }));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  const u = new URL(testDatabaseUrl());
  u.pathname = '/equilab_bench';
  process.env['TEST_DATABASE_URL'] = u.toString();
  const t = await startTestApp({ QUEUE_PREFIX: 'equilab-bench', SOCKET_CHANNEL_PREFIX: 'equilab-bench-socket', RATE_LIMIT_PER_MINUTE: '1000000' });
  try {
    const projectId = await createProject(t, `bench ${new Date().toISOString()}`);

    // 1. REST ingestion, WRITERS concurrent writers, each into its own run.
    const restRuns = await Promise.all(Array.from({ length: WRITERS }, () => createRun(t, projectId)));
    const tokens = await Promise.all(restRuns.map((r) => jobRunToken(t, r.id)));
    const bodies = Array.from({ length: POINTS_PER_WRITER / BATCH }, (_, b) => JSON.stringify({ points: points(BATCH, b * BATCH) }));
    const restStart = performance.now();
    await Promise.all(
      restRuns.map(async (run, w) => {
        for (const body of bodies) {
          const res = await fetch(`${t.baseUrl}/api/runs/${run.id}/metrics`, {
            method: 'POST',
            headers: { authorization: `Bearer ${tokens[w]}`, 'content-type': 'application/json' },
            body,
          });
          if (res.status !== 201) throw new Error(`REST write failed: ${res.status} ${await res.text()}`);
        }
      }),
    );
    const restSeconds = (performance.now() - restStart) / 1000;
    const restPoints = WRITERS * POINTS_PER_WRITER;

    // 2. Raw COPY of the same rows (same number of writers, new runs so every row is an insert in both cases).
    const copyRuns = await Promise.all(Array.from({ length: WRITERS }, () => createRun(t, projectId)));
    const copyStart = performance.now();
    await Promise.all(
      copyRuns.map(async (run) => {
        const client = new Client({ connectionString: process.env['TEST_DATABASE_URL'] });
        await client.connect();
        try {
          const stream = client.query(copyFrom('COPY "Metric" ("runId", "key", "step", "value", "wallTime") FROM STDIN'));
          const lines = function* () {
            for (let b = 0; b < POINTS_PER_WRITER / BATCH; b++) {
              let chunk = '';
              for (const p of points(BATCH, b * BATCH)) chunk += `${run.id}\t${p.key}\t${p.step}\t${p.value}\t${new Date(p.time).toISOString()}\n`;
              yield chunk;
            }
          };
          await pipeline(Readable.from(lines()), stream);
        } finally {
          await client.end();
        }
      }),
    );
    const copySeconds = (performance.now() - copyStart) / 1000;

    // 3. Latency: 100 simulated runs write small batches; one dashboard client on the project room.
    const latRuns = await Promise.all(Array.from({ length: LATENCY_RUNS }, () => createRun(t, projectId)));
    const latTokens = await Promise.all(latRuns.map((r) => jobRunToken(t, r.id)));
    const socket = io(t.baseUrl, { path: SOCKET_PATH, transports: ['websocket'], auth: { token: t.adminToken }, reconnection: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    await socket.timeout(5_000).emitWithAck('subscribe', { room: projectRoom(projectId) });
    const latencies: number[] = [];
    const expected = LATENCY_RUNS * LATENCY_BATCHES;
    let received = 0;
    const done = new Promise<void>((resolve) => {
      socket.on('metrics', (event: MetricsEvent) => {
        const now = Date.now();
        for (const run of event.runs) {
          for (const p of run.points) {
            if (p.key !== 'lat') continue;
            latencies.push(now - p.time);
            if (++received >= expected) resolve();
          }
        }
      });
    });
    await Promise.all(
      latRuns.map(async (run, i) => {
        for (let b = 0; b < LATENCY_BATCHES; b++) {
          await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
          const res = await fetch(`${t.baseUrl}/api/runs/${run.id}/metrics`, {
            method: 'POST',
            headers: { authorization: `Bearer ${latTokens[i]}`, 'content-type': 'application/json' },
            body: JSON.stringify({ points: [{ key: 'lat', step: b, value: b, time: Date.now() }] }),
          });
          if (res.status !== 201) throw new Error(`latency write failed: ${res.status}`);
        }
      }),
    );
    await Promise.race([done, new Promise((r) => setTimeout(r, 30_000))]);
    socket.disconnect();
    latencies.sort((a, b) => a - b);

    // leave the bench database small
    await t.app.get(PgPoolService).query('DELETE FROM "Project" WHERE id = $1', [projectId]);
    const result = {
      bench: 'api',
      restIngest: { writers: WRITERS, points: restPoints, batch: BATCH, seconds: +restSeconds.toFixed(3), pointsPerSecond: Math.round(restPoints / restSeconds) },
      pgCopy: { writers: WRITERS, points: restPoints, seconds: +copySeconds.toFixed(3), pointsPerSecond: Math.round(restPoints / copySeconds) },
      restVsCopy: +(copySeconds / restSeconds).toFixed(3),
      socketLatency: {
        runs: LATENCY_RUNS,
        batches: expected,
        received: latencies.length,
        p50Ms: percentile(latencies, 50),
        p99Ms: percentile(latencies, 99),
        coalesceMs: 250,
      },
      id: randomUUID(),
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
