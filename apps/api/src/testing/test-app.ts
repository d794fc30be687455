import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import type { AddressInfo, Server } from 'node:net';
import type { Run } from '@equilab/contracts';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import { createApp, type CreateAppOptions } from '../app.factory';
import { TokensService } from '../auth/tokens.service';
import type { TokenScope } from '../auth/principal';
import { loadApiEnv, type ApiEnv } from '../config/api-env';
import { DispatchService } from '../queue/dispatch.service';

const run = promisify(execFile);

/** The repository root (holds scripts/migrate.mjs). */
export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'scripts', 'migrate.mjs'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
  return dir;
}

/** Tests use their own database (default equilab_test on the same server) and Redis prefixes. */
export function testDatabaseUrl(): string {
  if (process.env['TEST_DATABASE_URL']) return process.env['TEST_DATABASE_URL'];
  const u = new URL(process.env['DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/equilab');
  u.pathname = '/equilab_test';
  return u.toString();
}

export async function migrateCli(args: string[], databaseUrl: string): Promise<{ stdout: string; stderr: string; code: number }> {
  const root = repoRoot();
  try {
    const { stdout, stderr } = await run(process.execPath, [join(root, 'scripts', 'migrate.mjs'), ...args], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: databaseUrl },
    });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; code?: number };
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: typeof e.code === 'number' ? e.code : 1 };
  }
}

/** A parsed JSON response body: tests read it loosely and assert its shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- deliberately loose for assertions
export type JsonBody = any;

/** True when every migration folder is recorded as applied (skips spawning the migrate tool). */
async function upToDate(databaseUrl: string): Promise<boolean> {
  const folders = (await readdir(join(repoRoot(), 'prisma', 'migrations'), { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
  const client = new Client({ connectionString: databaseUrl });
  try {
    await client.connect();
    const { rows } = await client.query<{ migration_name: string }>(
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    const applied = new Set(rows.map((r) => r.migration_name));
    return folders.every((f) => applied.has(f));
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface TestApp {
  readonly app: INestApplication;
  readonly env: ApiEnv;
  readonly baseUrl: string;
  readonly adminToken: string;
  /** A runner token: registerRunner/jobRunToken act with it. */
  readonly runnerToken: string;
  /** A fresh token; a member token is granted `projectIds`. */
  token(scope: Exclude<TokenScope, 'run'>, projectIds?: string[]): Promise<string>;
  /** The runner registered last by registerRunner (jobRunToken's credentials are issued to it). */
  runnerId: string | null;
  /** JSON request; `token: null` sends none. */
  request(method: string, path: string, body?: unknown, token?: string | null): Promise<{ status: number; body: JsonBody; text: string }>;
  close(): Promise<void>;
}

export async function startTestApp(overrides: Record<string, string> = {}, appOptions: Pick<CreateAppOptions, 'logDestination'> = {}): Promise<TestApp> {
  const databaseUrl = testDatabaseUrl();
  if (!(await upToDate(databaseUrl))) {
    const migrated = await migrateCli(['deploy'], databaseUrl);
    if (migrated.code !== 0) throw new Error(`migrate deploy failed: ${migrated.stderr}`);
  }
  const env = loadApiEnv({
    ...process.env,
    DATABASE_URL: databaseUrl,
    // Its own namespace: queues, and the rate-limit counters shared through Redis (a test's failed
    // authentications must not count against the next test's app).
    QUEUE_PREFIX: `equilab-test-${randomUUID().slice(0, 8)}`,
    SOCKET_CHANNEL_PREFIX: 'equilab-test-socket',
    LOG_LEVEL: 'error',
    API_PORT: '4000',
    METRICS_PORT: 'off',
    ...overrides,
  });
  const app = await createApp(env, appOptions.logDestination ? { logDestination: appOptions.logDestination } : { logger: false });
  await app.listen(0, '127.0.0.1');
  const address = (app.getHttpServer() as Server).address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const tokens = app.get(TokensService);
  const adminToken = (await tokens.create('test admin', 'admin')).token;
  const runnerToken = (await tokens.create('test runner', 'runner')).token;
  const request: TestApp['request'] = async (method, path, body, token = adminToken) => {
    const headers: Record<string, string> = {};
    if (token !== null) headers['authorization'] = `Bearer ${token}`;
    let payload: string | undefined;
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = typeof body === 'string' ? body : JSON.stringify(body);
    }
    const res = await fetch(`${baseUrl}${path}`, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed, text };
  };
  return {
    app,
    env,
    baseUrl,
    adminToken,
    runnerToken,
    runnerId: null,
    token: async (scope, projectIds) =>
      (await tokens.createUser({ name: `test ${scope}`, scope, ...(scope === 'member' ? { projectIds: projectIds ?? [] } : {}) })).token,
    request,
    close: async () => {
      // leave no test jobs behind in Redis (test prefixes only)
      if (env.QUEUE_PREFIX.startsWith('equilab-test')) {
        for (const queue of app.get(DispatchService).queues()) await queue.obliterate({ force: true }).catch(() => undefined);
      }
      await app.close();
    },
  };
}

/** The run token of a job, as a runner gets it: POST /api/runners/:id/credentials with the runner token. */
async function credential(t: TestApp, queue: 'pretrain' | 'evaluate', jobId: string): Promise<string> {
  const runnerId = t.runnerId ?? (await registerRunner(t));
  const res = await t.request('POST', `/api/runners/${runnerId}/credentials`, { queue, jobId }, t.runnerToken);
  if (res.status !== 200) throw new Error(`credential for ${queue} job ${jobId}: ${res.status} ${res.text}`);
  return (res.body as { token: string }).token;
}

/** The run token of a run's attempt (its pretrain job must exist), issued to t.runnerId. */
export async function jobRunToken(t: TestApp, runId: string, attempt = 1): Promise<string> {
  const job = await t.app.get(DispatchService).pretrain.getJob(`${runId}.${attempt}`);
  if (!job) throw new Error(`no job for ${runId}.${attempt}`);
  return credential(t, 'pretrain', `${runId}.${attempt}`);
}

/** The run token of an evaluation's attempt (its evaluate job), issued to t.runnerId. */
export async function evaluationToken(t: TestApp, evaluationId: string, attempt = 1): Promise<string> {
  return credential(t, 'evaluate', `${evaluationId}.${attempt}`);
}

/** Registers a runner with the test runner token; returns its id (also t.runnerId). */
export async function registerRunner(t: TestApp): Promise<string> {
  const res = await t.request('POST', '/api/runners', { name: 'test-runner', hostname: 'localhost', devices: 1, device: 'cpu', backend: 'wasm' }, t.runnerToken);
  if (res.status !== 201) throw new Error(`runner registration failed: ${res.text}`);
  t.runnerId = (res.body as { id: string }).id;
  return t.runnerId;
}

export async function createProject(t: TestApp, name = 'test project'): Promise<string> {
  const res = await t.request('POST', '/api/projects', { name });
  if (res.status !== 201) throw new Error(`project creation failed: ${res.text}`);
  return (res.body as { id: string }).id;
}

export async function createRun(t: TestApp, projectId: string, extra: Record<string, unknown> = {}): Promise<Run> {
  const res = await t.request('POST', '/api/runs', { projectId, method: 'VICReg', config: {}, ...extra });
  if (res.status !== 201) throw new Error(`run creation failed: ${res.text}`);
  return res.body as Run;
}
