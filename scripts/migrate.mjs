#!/usr/bin/env node
// Offline replacement for `prisma migrate` (the Prisma CLI needs a native engine it cannot download here):
// the same prisma/migrations/<timestamp>_<name>/migration.sql folders, migration_lock.toml and
// _prisma_migrations table, driven through Prisma's WebAssembly schema engine. On a connected machine
// `PRISMA_SCHEMA_ENGINE_BINARY= npx prisma migrate deploy --config prisma/prisma.config.ts` reads the same state.
//
//   npm run db:migrate -- deploy            apply pending migrations (creates the database if missing)
//   npm run db:migrate -- status            exit 0 when up to date, 1 otherwise
//   npm run db:migrate -- create <name>     write a new migration from the schema (like migrate dev --create-only)
//   npm run db:migrate -- reset             drop everything, then deploy
// Options: --schema <file> (prisma/schema.prisma), --migrations <dir> (prisma/migrations).
// Env: DATABASE_URL (postgresql://postgres@127.0.0.1:5432/equilab).
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { databaseName, dropDatabase, ensureDatabase, redact, withDatabase } from './db/database.mjs';
import { readMigrations, writeMigration } from './db/migrations-dir.mjs';
import { FILTERS, openEngine } from './db/schema-engine.mjs';

process.env.CHECKPOINT_DISABLE ??= '1';
const DEFAULT_URL = 'postgresql://postgres@127.0.0.1:5432/equilab';
const USAGE = 'usage: migrate.mjs <deploy|status|create <name>|reset> [--schema file] [--migrations dir]';

class UsageError extends Error {}

function engineMessage(error) {
  if (error && typeof error === 'object' && 'message' in error) return String(error.message);
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}

async function withEngine(url, schemaPath, fn) {
  const { engine } = await openEngine(url, schemaPath);
  try {
    return await fn(engine);
  } finally {
    engine.free();
  }
}

async function deploy({ url, schemaPath, migrationsDir }) {
  const created = await ensureDatabase(url);
  if (created) console.log(`created database "${databaseName(url)}"`);
  const migrationsList = await readMigrations(migrationsDir);
  const { appliedMigrationNames } = await withEngine(url, schemaPath, (engine) =>
    engine.applyMigrations({ migrationsList, filters: FILTERS }),
  );
  if (appliedMigrationNames.length === 0) console.log('no pending migrations');
  for (const name of appliedMigrationNames) console.log(`applied ${name}`);
  return 0;
}

async function status({ url, schemaPath, migrationsDir }) {
  const migrationsList = await readMigrations(migrationsDir);
  const result = await withEngine(url, schemaPath, (engine) =>
    engine.diagnoseMigrationHistory({ migrationsList, optInToShadowDatabase: false, filters: FILTERS }),
  );
  console.log(`${migrationsList.migrationDirectories.length} migration(s) in ${migrationsDir}`);
  let ok = true;
  if (result.failedMigrationNames.length) {
    ok = false;
    console.log(`failed: ${result.failedMigrationNames.join(', ')}`);
  }
  if (result.editedMigrationNames.length) {
    ok = false;
    console.log(`edited after being applied: ${result.editedMigrationNames.join(', ')}`);
  }
  const history = result.history;
  if (history) {
    ok = false;
    if (history.diagnostic === 'databaseIsBehind') console.log(`not yet applied: ${history.unappliedMigrationNames.join(', ')}`);
    else if (history.diagnostic === 'migrationsDirectoryIsBehind') console.log(`applied but missing locally: ${history.unpersistedMigrationNames.join(', ')}`);
    else console.log(`histories diverge after ${history.lastCommonMigrationName ?? '(start)'}: local ${history.unappliedMigrationNames.join(', ')}; database ${history.unpersistedMigrationNames.join(', ')}`);
  }
  console.log(ok ? 'database schema is up to date' : 'database schema is NOT up to date');
  return ok ? 0 : 1;
}

async function create({ url, schemaPath, migrationsDir, name }) {
  if (!name || !/^[A-Za-z0-9_]+$/.test(name)) throw new UsageError('create needs a <name> of letters, digits and _');
  const tempUrl = withDatabase(url, `${databaseName(url)}_migrate_${randomBytes(4).toString('hex')}`);
  await ensureDatabase(tempUrl);
  try {
    const migrationsList = await readMigrations(migrationsDir);
    const sql = await withEngine(tempUrl, schemaPath, async (engine) => {
      await engine.applyMigrations({ migrationsList, filters: FILTERS });
      const schemaText = await readFile(schemaPath, 'utf8');
      const files = [{ path: schemaPath, content: schemaText }];
      const result = await engine.diff({
        from: { tag: 'schemaDatasource', files, configDir: resolve(schemaPath, '..') },
        to: { tag: 'schemaDatamodel', files },
        script: true,
        exitCode: null,
        filters: FILTERS,
      });
      return result.stdout ?? '';
    });
    if (!sql.trim() || /^-- This is an empty migration\.?\s*$/.test(sql.trim())) {
      console.log('no schema change: no migration created');
      return 0;
    }
    const dir = await writeMigration(migrationsDir, name, sql);
    console.log(`created ${migrationsDir}/${dir}/migration.sql`);
    return 0;
  } finally {
    await dropDatabase(tempUrl);
  }
}

async function reset(options) {
  await ensureDatabase(options.url);
  await withEngine(options.url, options.schemaPath, (engine) => engine.reset({ filter: FILTERS }));
  console.log(`reset database "${databaseName(options.url)}"`);
  return deploy(options);
}

async function main(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      schema: { type: 'string' },
      migrations: { type: 'string' },
      // accepted for parity with `prisma migrate reset --force` (this tool never prompts)
      force: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [command, name] = positionals;
  const url = process.env.DATABASE_URL || DEFAULT_URL;
  try {
    const u = new URL(url);
    if (u.protocol !== 'postgresql:' && u.protocol !== 'postgres:') throw new Error();
  } catch {
    throw new UsageError(`DATABASE_URL must be a postgresql:// URL, got ${JSON.stringify(redact(url))}`);
  }
  const options = {
    url,
    schemaPath: resolve(values.schema ?? 'prisma/schema.prisma'),
    migrationsDir: resolve(values.migrations ?? 'prisma/migrations'),
    name,
  };
  switch (command) {
    case 'deploy':
      return deploy(options);
    case 'status':
      return status(options);
    case 'create':
      return create(options);
    case 'reset':
      return reset(options);
    default:
      throw new UsageError(command ? `unknown command ${JSON.stringify(command)}` : 'missing command');
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    if (error instanceof UsageError || error?.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      console.error(`migrate: ${error.message}\n${USAGE}`);
      process.exit(2);
    }
    console.error(`migrate: ${engineMessage(error)}`);
    process.exit(1);
  },
);
