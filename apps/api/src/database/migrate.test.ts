import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import { migrateCli, repoRoot, testDatabaseUrl } from '../testing/test-app';

/** scripts/migrate.mjs on a scratch database and a scratch copy of prisma/. */
void describe('migrate tool (scripts/migrate.mjs)', () => {
  const name = `equilab_migrate_${randomBytes(4).toString('hex')}`;
  const url = (() => {
    const u = new URL(testDatabaseUrl());
    u.pathname = `/${name}`;
    return u.toString();
  })();
  let dir: string;
  let args: string[];

  const query = async <T>(sql: string): Promise<T[]> => {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql)).rows as T[];
    } finally {
      await client.end();
    }
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'equilab-migrate-'));
    await cp(join(repoRoot(), 'prisma', 'schema.prisma'), join(dir, 'schema.prisma'));
    await cp(join(repoRoot(), 'prisma', 'migrations'), join(dir, 'migrations'), { recursive: true });
    args = ['--schema', join(dir, 'schema.prisma'), '--migrations', join(dir, 'migrations')];
  });
  after(async () => {
    const admin = new Client({ connectionString: (() => { const u = new URL(url); u.pathname = '/postgres'; return u.toString(); })() });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
    await rm(dir, { recursive: true, force: true });
  });

  void it('deploy creates the database and applies every migration; status and create see no change', async () => {
    const deploy = await migrateCli(['deploy', ...args], url);
    assert.equal(deploy.code, 0, deploy.stderr);
    assert.match(deploy.stdout, new RegExp(`created database "${name}"`));
    const folders = (await readdir(join(dir, 'migrations'), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    for (const folder of folders) assert.match(deploy.stdout, new RegExp(`applied ${folder}`));
    const applied = await query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      'SELECT migration_name, checksum, finished_at FROM _prisma_migrations ORDER BY migration_name',
    );
    assert.deepEqual(applied.map((r) => r.migration_name), folders);
    for (const row of applied) {
      const sql = await readFile(join(dir, 'migrations', row.migration_name, 'migration.sql'));
      assert.equal(row.checksum, createHash('sha256').update(sql).digest('hex'));
      assert.ok(row.finished_at);
    }
    const status = await migrateCli(['status', ...args], url);
    assert.equal(status.code, 0, status.stdout);
    assert.match(status.stdout, /up to date/);
    const again = await migrateCli(['deploy', ...args], url);
    assert.match(again.stdout, /no pending migrations/);
    const create = await migrateCli(['create', 'nothing', ...args], url);
    assert.equal(create.code, 0, create.stderr);
    assert.match(create.stdout, /no schema change/);
  });

  void it('create writes a new migration from a schema change; status reports it until deploy', async () => {
    const schema = await readFile(join(dir, 'schema.prisma'), 'utf8');
    await writeFile(join(dir, 'schema.prisma'), `${schema}\nmodel ScratchThing {\n  id   Int    @id\n  note String @default("")\n}\n`);
    const create = await migrateCli(['create', 'scratch_thing', ...args], url);
    assert.equal(create.code, 0, create.stderr);
    const folder = (await readdir(join(dir, 'migrations'))).find((f) => f.endsWith('_scratch_thing'));
    assert.ok(folder, create.stdout);
    assert.match(folder, /^\d{14}_scratch_thing$/);
    const sql = await readFile(join(dir, 'migrations', folder, 'migration.sql'), 'utf8');
    assert.match(sql, /CREATE TABLE "ScratchThing"/);
    const behind = await migrateCli(['status', ...args], url);
    assert.equal(behind.code, 1);
    assert.match(behind.stdout, new RegExp(`not yet applied: ${folder}`));
    const deploy = await migrateCli(['deploy', ...args], url);
    assert.match(deploy.stdout, new RegExp(`applied ${folder}`));
    assert.equal((await migrateCli(['status', ...args], url)).code, 0);
    await query('INSERT INTO "ScratchThing" (id) VALUES (1)');
    const reset = await migrateCli(['reset', ...args], url);
    assert.equal(reset.code, 0, reset.stderr);
    assert.deepEqual(await query('SELECT * FROM "ScratchThing"'), []);
  });

  void it('fails clearly on bad usage', async () => {
    const unknown = await migrateCli(['frobnicate', ...args], url);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "frobnicate"/);
    const badName = await migrateCli(['create', 'bad name', ...args], url);
    assert.equal(badName.code, 2);
    const badUrl = await migrateCli(['status', ...args], 'mysql://localhost/x');
    assert.equal(badUrl.code, 2);
    assert.match(badUrl.stderr, /DATABASE_URL must be a postgresql:\/\/ URL/);
  });
});
