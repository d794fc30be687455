import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import { migrateCli, repoRoot, testDatabaseUrl } from '../testing/test-app';

const MIGRATION = '20261202023538_metric_chunks';

/** The metric_chunks migration moves the row-per-point "Metric" table's points into series + chunks. */
void describe('metric storage migration', () => {
  const name = `equilab_metricmig_${randomBytes(4).toString('hex')}`;
  const url = (() => {
    const u = new URL(testDatabaseUrl());
    u.pathname = `/${name}`;
    return u.toString();
  })();
  let dir: string;

  const withClient = async <T>(fn: (c: Client) => Promise<T>): Promise<T> => {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'equilab-metricmig-'));
    await cp(join(repoRoot(), 'prisma', 'schema.prisma'), join(dir, 'schema.prisma'));
    await cp(join(repoRoot(), 'prisma', 'migrations'), join(dir, 'migrations'), { recursive: true });
    await rm(join(dir, 'migrations', MIGRATION), { recursive: true });
    for (const folder of await readdir(join(dir, 'migrations'))) {
      if (folder > MIGRATION && folder !== 'migration_lock.toml') await rm(join(dir, 'migrations', folder), { recursive: true });
    }
  });
  after(async () => {
    const admin = new Client({ connectionString: (() => { const u = new URL(url); u.pathname = '/postgres'; return u.toString(); })() });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
    await rm(dir, { recursive: true, force: true });
  });

  void it('keeps every stored point: value, step order and wall time (ms), one series per run × key', async () => {
    const args = ['--schema', join(dir, 'schema.prisma'), '--migrations', join(dir, 'migrations')];
    const before = await migrateCli(['deploy', ...args], url);
    assert.equal(before.code, 0, before.stderr);
    const projectId = randomUUID();
    const runs = [randomUUID(), randomUUID()];
    const t0 = Date.UTC(2026, 0, 1);
    // steps across chunk boundaries (1023/1024/2048), out-of-order insertion, two keys, two runs
    const points = runs.flatMap((runId, r) =>
      ['loss', 'eval,top1'].flatMap((key, k) => [5, 1023, 1024, 0, 2048, 3000].map((step) => ({ runId, key, step, value: r * 100 + k * 10 + step / 7, time: t0 + step * 1000 + 123 }))),
    );
    await withClient(async (c) => {
      await c.query(`INSERT INTO "Project" (id, name) VALUES ($1, 'p')`, [projectId]);
      for (const id of runs) {
        await c.query(`INSERT INTO "Run" (id, "projectId", name, method, config, seed, "dataRoot") VALUES ($1, $2, 'r', 'sie', '{}', 1, '/d')`, [id, projectId]);
      }
      for (const p of points) {
        await c.query(`INSERT INTO "Metric" ("runId", key, step, value, "wallTime") VALUES ($1, $2, $3, $4, to_timestamp($5 / 1000.0))`, [p.runId, p.key, p.step, p.value, p.time]);
      }
    });
    await cp(join(repoRoot(), 'prisma', 'migrations', MIGRATION), join(dir, 'migrations', MIGRATION), { recursive: true });
    const migrated = await migrateCli(['deploy', ...args], url);
    assert.equal(migrated.code, 0, migrated.stderr);
    assert.match(migrated.stdout, new RegExp(`applied ${MIGRATION}`));
    const stored = await withClient(
      async (c) =>
        (
          await c.query<{ runId: string; key: string; step: number; value: number; time: string; chunk: number }>(
            `SELECT s."runId", s.key, u.step, u.value, u.time, c.chunk
             FROM "MetricSeries" s JOIN "MetricChunk" c ON c."seriesId" = s.id
             CROSS JOIN LATERAL unnest(c.steps, c.values, c.times) WITH ORDINALITY AS u(step, value, time, i)
             ORDER BY s."runId", s.key, c.chunk, u.i`,
          )
        ).rows,
    );
    const expected = [...points].sort((a, b) => (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : a.step - b.step));
    assert.deepEqual(
      stored.map((r) => ({ runId: r.runId, key: r.key, step: r.step, value: r.value, time: Number(r.time) })),
      expected,
    );
    for (const r of stored) assert.equal(r.chunk, Math.floor(r.step / 1024));
    const tables = await withClient(async (c) => (await c.query<{ n: string }>(`SELECT count(*) AS n FROM pg_tables WHERE tablename = 'Metric'`)).rows[0]?.n);
    assert.equal(tables, '0');
  });
});
