#!/usr/bin/env node
// node apps/api/dist/cli/token.js create --name X [--scope admin|member|runner] [--project <id>]... [--expires-in-days N]
//                                   → prints the token once (stdout); its id on stderr
// node apps/api/dist/cli/token.js list | revoke --id <uuid> | rotate --id <uuid> | grant --id <uuid> --project <id>
import { parseArgs } from 'node:util';
import { EnvError, MAX_TOKEN_LIFETIME_DAYS } from '@equilab/contracts';
import { PrismaPg } from '@prisma/adapter-pg';
import { loadApiEnv } from '../config/api-env';
import { PrismaClient } from '../generated/prisma/client';
import IORedis from 'ioredis';
import { AUTH_INVALIDATION_CHANNEL, createUserToken, grantProject, listUserTokens, revokeUserToken, rotateUserToken, TokenStoreError } from '../auth/token-store';

const USAGE = [
  'usage: token create --name <name> [--scope admin|member|runner] [--project <project id>]... [--expires-in-days <days>]',
  '       token list',
  '       token revoke --id <token id>',
  '       token rotate --id <token id>      (new token, same scope/grants/expiry; the old one is revoked)',
  '       token grant --id <token id> --project <project id>',
].join('\n');
const COMMANDS = new Set(['create', 'list', 'revoke', 'rotate', 'grant']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

class UsageError extends Error {}

function uuid(flag: string, value: string | undefined, what: string): string {
  if (!value || !UUID.test(value)) throw new UsageError(`${flag}: required, ${what} (a uuid)${value ? `, got ${JSON.stringify(value)}` : ''}`);
  return value;
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      scope: { type: 'string', default: 'admin' },
      id: { type: 'string' },
      project: { type: 'string', multiple: true },
      'expires-in-days': { type: 'string' },
    },
  });
  const command = positionals[0];
  if (!command || !COMMANDS.has(command)) throw new UsageError(command ? `unknown command ${command}` : 'missing command');
  // Validate the arguments before touching the database.
  let create: Parameters<typeof createUserToken>[1] | null = null;
  if (command === 'create') {
    const name = values.name?.trim();
    if (!name) throw new UsageError('--name: required (a label for the token)');
    if (name.length > 200) throw new UsageError('--name: at most 200 characters');
    const scope = values.scope;
    if (scope !== 'admin' && scope !== 'member' && scope !== 'runner') throw new UsageError(`--scope: must be admin, member or runner, got ${JSON.stringify(scope)}`);
    const projectIds = (values.project ?? []).map((p) => uuid('--project', p, 'a project id'));
    if (scope === 'member' && projectIds.length === 0) throw new UsageError('--project: a member token needs at least one project');
    if (scope !== 'member' && projectIds.length > 0) throw new UsageError(`--project: only member tokens are granted projects`);
    let expiresInDays: number | undefined;
    if (values['expires-in-days'] !== undefined) {
      expiresInDays = Number(values['expires-in-days']);
      if (!Number.isFinite(expiresInDays) || expiresInDays <= 0 || expiresInDays > MAX_TOKEN_LIFETIME_DAYS) {
        throw new UsageError(`--expires-in-days: a number of days in (0, ${MAX_TOKEN_LIFETIME_DAYS}], got ${JSON.stringify(values['expires-in-days'])}`);
      }
    }
    create = { name, scope, projectIds, ...(expiresInDays !== undefined ? { expiresInDays } : {}) };
  }
  const id = command === 'revoke' || command === 'rotate' || command === 'grant' ? uuid('--id', values.id, 'a token id from `token list`') : '';
  const grantTo = command === 'grant' ? uuid('--project', values.project?.[0], 'a project id') : '';

  const env = loadApiEnv();
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: env.DATABASE_URL }) });
  try {
    if (create) {
      const created = await createUserToken(prisma, create);
      console.error(`created ${created.scope} token ${created.id}${created.expiresAt ? `, expires ${created.expiresAt}` : ''} (shown once; only its sha256 is stored)`);
      process.stdout.write(`${created.token}\n`);
    } else if (command === 'list') {
      console.log(['id', 'scope', 'state', 'name', 'created', 'expires', 'last used', 'projects'].join('\t'));
      for (const t of await listUserTokens(prisma)) {
        console.log([t.id, t.scope, t.state, t.name, t.createdAt, t.expiresAt ?? '-', t.lastUsedAt ?? '-', t.projectIds.join(',') || '-'].join('\t'));
      }
    } else if (command === 'revoke') {
      await revokeUserToken(prisma, id);
      await tellReplicas(env.REDIS_URL);
      console.log(`revoked ${id}`);
    } else if (command === 'rotate') {
      const created = await rotateUserToken(prisma, id);
      await tellReplicas(env.REDIS_URL);
      console.error(`revoked ${id}; new ${created.scope} token ${created.id} (shown once)`);
      process.stdout.write(`${created.token}\n`);
    } else {
      await grantProject(prisma, id, grantTo);
      await tellReplicas(env.REDIS_URL);
      console.log(`granted project ${grantTo} to ${id}`);
    }
  } finally {
    await prisma.$disconnect();
  }
}

/** Every API replica drops its token cache (Redis pub/sub); Redis unreachable: they catch up within 5 s. */
async function tellReplicas(redisUrl: string): Promise<void> {
  const redis = new IORedis(redisUrl, { lazyConnect: true, connectTimeout: 3_000, maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.publish(AUTH_INVALIDATION_CHANNEL, 'tokens');
  } catch (error) {
    console.error(`note: Redis unreachable (${error instanceof Error ? error.message : String(error)}): API replicas apply the change within 5 s`);
  } finally {
    redis.disconnect();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`token: ${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (error instanceof TokenStoreError) {
    console.error(`token: ${error.message}`);
    process.exit(error.kind === 'not_found' ? 3 : 2);
  }
  console.error(error instanceof EnvError ? error.message : `token: ${(error as Error).message ?? String(error)}`);
  process.exit(1);
});
