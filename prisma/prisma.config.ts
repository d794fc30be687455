// Prisma's CLI looks for its native schema engine before any command and tries to download it; no
// engine binary is needed for `generate`, so point it at an existing file (see README "Database").
// Migrations go through the WebAssembly engine in scripts/migrate.mjs instead of `prisma migrate`.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= '/bin/false';
process.env.CHECKPOINT_DISABLE ??= '1';

import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'schema.prisma',
  migrations: { path: 'migrations' },
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
