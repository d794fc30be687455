// The whole Equilab stack for the browser tests: a test database (migrated), a tiny generated dataset, the API,
// one runner and the dashboard (`next start`), each a child process on free ports, plus API tokens. Everything
// started here is stopped by `stop()` (process groups, so `next start`'s server child goes too).
//
// Needs: `npm run build` done (apps/api, apps/runner, libs/* dist and apps/web/.next), PostgreSQL and Redis
// (DATABASE_URL / REDIS_URL, defaults 127.0.0.1), /usr/bin/chromium (e2e/scripts/install-chromium.sh).
import { spawn, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
export const E2E_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = path.resolve(E2E_DIR, '..');
const require = createRequire(import.meta.url);

/** What the stack needs on disk; `missingPieces()` lists what is not built so tests can say why they skip. */
export const REQUIRED_FILES = {
  api: 'apps/api/dist/main.js',
  tokenCli: 'apps/api/dist/cli/token.js',
  runner: 'apps/runner/dist/main.js',
  web: 'apps/web/.next/BUILD_ID',
  data: 'libs/data/dist/index.js',
  migrate: 'scripts/migrate.mjs',
};

export function missingPieces() {
  return Object.entries(REQUIRED_FILES)
    .filter(([, file]) => !existsSync(path.join(REPO_ROOT, file)))
    .map(([name, file]) => `${name} (${file})`);
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls `check` (truthy = done) every `interval` ms until `timeout`; throws naming `what` on time-out. */
export async function waitFor(what, check, { timeout = 60_000, interval = 250 } = {}) {
  const deadline = Date.now() + timeout;
  let lastError;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}${lastError ? ` (last error: ${lastError.message})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

function databaseUrlFor(base, name) {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/** `call(pathname, init)`: an authenticated JSON request to the API; throws with the status and body on non-2xx. */
export function apiClient(apiUrl, token) {
  return async (pathname, init = {}) => {
    const response = await fetch(`${apiUrl}/api${pathname}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await response.text();
    const body = text ? JSON.parse(text) : undefined;
    if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${pathname}: ${response.status} ${text}`);
    return body;
  };
}

export class ChildProcessHandle {
  constructor(name, command, args, options) {
    this.name = name;
    this.output = [];
    this.child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (chunk) => {
      const lines = chunk.toString('utf8').split('\n').filter(Boolean);
      this.output.push(...lines);
      if (this.output.length > 2000) this.output.splice(0, this.output.length - 2000);
      if (process.env.E2E_VERBOSE) for (const line of lines) process.stderr.write(`[${name}] ${line}\n`);
    };
    this.child.stdout.on('data', collect);
    this.child.stderr.on('data', collect);
    this.exit = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
    this.exited = false;
    void this.exit.then(() => (this.exited = true));
  }

  tail(lines = 40) {
    return this.output.slice(-lines).join('\n');
  }

  assertAlive() {
    if (this.exited) throw new Error(`${this.name} exited early:\n${this.tail()}`);
  }

  async stop(timeout = 15_000) {
    if (this.exited) return;
    try {
      process.kill(-this.child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = new Promise((resolve) => setTimeout(resolve, timeout, 'timeout'));
    if ((await Promise.race([this.exit, timer])) === 'timeout') {
      try {
        process.kill(-this.child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      await this.exit;
    }
  }
}

/**
 * Starts the stack. Options: `runnerDevices` (parallel runs, default 2), `dataset` (generator options).
 * Returns `{ apiUrl, webUrl, token, api(path, init), stop() }`.
 */
export async function startStack(options = {}) {
  const missing = missingPieces();
  if (missing.length > 0) throw new Error(`not built: ${missing.join(', ')}`);
  const id = `e2e${randomBytes(4).toString('hex')}`;
  const baseDir = path.join(E2E_DIR, '.stack', id);
  await mkdir(baseDir, { recursive: true });
  const databaseUrl = databaseUrlFor(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/equilab', process.env.E2E_DATABASE ?? 'equilab_e2e');
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const processes = [];
  const stack = { id, baseDir, databaseUrl, processes };

  const stop = async () => {
    for (const handle of [...processes].reverse()) await handle.stop();
    if (!process.env.E2E_KEEP) await rm(baseDir, { recursive: true, force: true });
  };
  stack.stop = stop;

  try {
    // Database: a fresh, migrated one of our own.
    await execFileAsync(process.execPath, [path.join(REPO_ROOT, 'scripts/migrate.mjs'), 'reset'], {
      cwd: REPO_ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      timeout: 180_000,
    });

    // Tiny dataset.
    const dataRoot = path.join(baseDir, 'data');
    const { generateDataset } = require(path.join(REPO_ROOT, 'libs/data/dist/index.js'));
    await generateDataset({ out: dataRoot, classes: 2, objectsPerClass: 6, views: 4, size: 32, workers: 0, seed: 1, ...(options.dataset ?? {}) });

    const apiPort = await freePort();
    const webPort = await freePort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const webUrl = `http://127.0.0.1:${webPort}`;
    const common = { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, QUEUE_PREFIX: `${id}-bull`, ARTIFACT_DIR: path.join(baseDir, 'artifacts') };

    const tokenCli = async (...args) => {
      const { stdout } = await execFileAsync(process.execPath, [path.join(REPO_ROOT, REQUIRED_FILES.tokenCli), ...args], { cwd: REPO_ROOT, env: { ...process.env, ...common } });
      return stdout.trim().split('\n').pop();
    };
    const token = await tokenCli('create', '--name', 'e2e', '--scope', 'admin');
    const runnerToken = await tokenCli('create', '--name', 'e2e-runner', '--scope', 'runner');

    const api = new ChildProcessHandle('api', process.execPath, [path.join(REPO_ROOT, REQUIRED_FILES.api)], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...common, API_PORT: String(apiPort), API_HOST: '127.0.0.1', DATA_ROOT: dataRoot, SOCKET_CHANNEL_PREFIX: `${id}-socket`, LOG_LEVEL: 'warn' },
    });
    processes.push(api);
    await waitFor('the API health check', async () => {
      api.assertAlive();
      const response = await fetch(`${apiUrl}/api/health`);
      return response.ok && (await response.json()).status === 'ok';
    });

    const runner = new ChildProcessHandle('runner', process.execPath, [path.join(REPO_ROOT, REQUIRED_FILES.runner)], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        ...common,
        API_URL: apiUrl,
        API_TOKEN: runnerToken,
        RUNNER_NAME: `${id}-runner`,
        RUNNER_DEVICES: String(options.runnerDevices ?? 2),
        RUNNER_BACKEND: process.env.E2E_BACKEND ?? 'wasm',
        RUNNER_DATA_WORKERS: '0',
        RUNNER_HEARTBEAT_MS: '1000',
        METRICS_FLUSH_MS: '200',
        WORK_DIR: path.join(baseDir, 'work'),
        SPILL_DIR: path.join(baseDir, 'spill'),
        ...(options.runnerEnv ?? {}),
      },
    });
    processes.push(runner);
    await waitFor('the runner to consume its queues', () => {
      runner.assertAlive();
      return runner.output.some((line) => line.includes('consuming'));
    });

    const nextBin = require.resolve('next/dist/bin/next', { paths: [path.join(REPO_ROOT, 'apps/web')] });
    const web = new ChildProcessHandle('web', process.execPath, [nextBin, 'start', '-p', String(webPort), '-H', '127.0.0.1'], {
      cwd: path.join(REPO_ROOT, 'apps/web'),
      env: { ...process.env, API_URL: apiUrl, NEXT_TELEMETRY_DISABLED: '1', PORT: String(webPort) },
    });
    processes.push(web);
    await waitFor('the dashboard', async () => {
      web.assertAlive();
      const response = await fetch(`${webUrl}/api/health`);
      return response.ok;
    });

    /** Authenticated JSON calls to the API (tests use them to observe state, never to drive the UI's steps). */
    const call = apiClient(apiUrl, token);

    Object.assign(stack, { apiUrl, webUrl, token, dataRoot, api: call, logs: { api, runner, web } });
    return stack;
  } catch (error) {
    const logs = processes.map((p) => `--- ${p.name} ---\n${p.tail()}`).join('\n');
    await stop();
    throw new Error(`${error.message}${logs ? `\n${logs}` : ''}`);
  }
}
