#!/usr/bin/env node
// node apps/api/dist/cli/token.js create --name X [--scope admin|runner]   → prints the token once
// node apps/api/dist/cli/token.js list | revoke --id <uuid>
import { parseArgs } from 'node:util';
import { EnvError } from '@equilab/contracts';
import { PrismaPg } from '@prisma/adapter-pg';
import { loadApiEnv } from '../config/api-env';
import { PrismaClient } from '../generated/prisma/client';
import { generateToken, hashToken } from '../auth/token.util';

const USAGE = 'usage: token create --name <name> [--scope admin|runner] | token list | token revoke --id <uuid>';

class UsageError extends Error {}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { name: { type: 'string' }, scope: { type: 'string', default: 'admin' }, id: { type: 'string' } },
  });
  const command = positionals[0];
  if (command !== 'create' && command !== 'list' && command !== 'revoke') throw new UsageError(command ? `unknown command ${command}` : 'missing command');
  const env = loadApiEnv();
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: env.DATABASE_URL }) });
  try {
    if (command === 'create') {
      const name = values.name?.trim();
      if (!name) throw new UsageError('--name: required (a label for the token)');
      const scope = values.scope;
      if (scope !== 'admin' && scope !== 'runner') throw new UsageError(`--scope: must be admin or runner, got ${JSON.stringify(scope)}`);
      const token = generateToken();
      await prisma.apiToken.create({ data: { name, scope, hash: hashToken(token) } });
      process.stdout.write(`${token}\n`);
    } else if (command === 'list') {
      const rows = await prisma.apiToken.findMany({ where: { scope: { not: 'run' } }, orderBy: { createdAt: 'asc' } });
      for (const r of rows) console.log([r.id, r.scope, r.name, r.createdAt.toISOString(), r.lastUsedAt?.toISOString() ?? '-', r.revokedAt ? 'revoked' : 'active'].join('\t'));
    } else {
      if (!values.id || !/^[0-9a-f-]{36}$/i.test(values.id)) throw new UsageError('--id: required, a token id (uuid) from `token list`');
      const res = await prisma.apiToken.updateMany({ where: { id: values.id, revokedAt: null }, data: { revokedAt: new Date() } });
      if (res.count === 0) throw new UsageError(`--id: no active token ${values.id}`);
      console.log(`revoked ${values.id}`);
    }
  } finally {
    await prisma.$disconnect();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`token: ${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  console.error(error instanceof EnvError ? error.message : `token: ${(error as Error).message ?? String(error)}`);
  process.exit(1);
});
