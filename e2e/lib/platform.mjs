// The platform without the dashboard, for the API/runner/trainer integration tests: a migrated test database, a
// tiny generated dataset, the API (restartable on the same port) and any number of runners (startable, SIGTERM-
// and SIGKILL-able one by one). Everything started here is stopped by `stop()`. Shares the building blocks of
// stack.mjs (the dashboard engineer's launcher).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { io } from 'socket.io-client';
import { ChildProcessHandle, E2E_DIR, apiClient, REPO_ROOT, REQUIRED_FILES, freePort, missingPieces, waitFor } from './stack.mjs';

const execFileAsync = promisify(execFile);
const require = createRequire(import.meta.url);

/** What the platform tests need built (no dashboard). */
export function missingPlatformPieces() {
  return missingPieces().filter((piece) => !piece.startsWith('web '));
}

/**
 * Starts the database, dataset and API. Options: `dataset` (generator options), `runnerEnv` (added to every
 * runner's environment), `redisUrl` (instead of REDIS_URL), `apiEnv(common)` (added to every API process's
 * environment, e.g. a DATABASE_URL through a proxy). Returns the platform handle; runners are started with
 * `startRunner(name)`, more API replicas with `startApi({ port })`.
 */
export async function startPlatform(options = {}) {
  const missing = missingPlatformPieces();
  if (missing.length > 0) throw new Error(`not built: ${missing.join(', ')}`);
  const id = `plat${randomBytes(4).toString('hex')}`;
  const baseDir = path.join(E2E_DIR, '.stack', id);
  await mkdir(baseDir, { recursive: true });
  const databaseUrl = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/equilab');
  // A database of this run's own (dropped by stop()): two test processes never reset each other's data.
  databaseUrl.pathname = `/equilab_e2e_${id}`;
  const redisUrl = options.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const dataRoot = path.join(baseDir, 'data');
  const common = { DATABASE_URL: databaseUrl.toString(), REDIS_URL: redisUrl, QUEUE_PREFIX: `${id}-bull`, ARTIFACT_DIR: path.join(baseDir, 'artifacts') };
  const processes = [];
  const sockets = [];
  const platform = { id, baseDir, dataRoot, processes, runners: new Map() };

  platform.stop = async () => {
    for (const socket of sockets) socket.close();
    for (const handle of [...processes].reverse()) await handle.stop();
    if (!process.env.E2E_KEEP) {
      await rm(baseDir, { recursive: true, force: true });
      const { dropDatabase } = await import(pathToFileURL(path.join(REPO_ROOT, 'scripts/db/database.mjs')).href);
      await dropDatabase(common.DATABASE_URL);
    }
  };

  try {
    await execFileAsync(process.execPath, [path.join(REPO_ROOT, REQUIRED_FILES.migrate), 'reset'], {
      cwd: REPO_ROOT,
      env: { ...process.env, DATABASE_URL: common.DATABASE_URL },
      timeout: 180_000,
    });
    const { generateDataset } = require(path.join(REPO_ROOT, REQUIRED_FILES.data));
    await generateDataset({ out: dataRoot, classes: 2, objectsPerClass: 6, views: 4, size: 32, workers: 0, seed: 1, ...(options.dataset ?? {}) });

    const tokenCli = async (...args) => {
      const { stdout } = await execFileAsync(process.execPath, [path.join(REPO_ROOT, REQUIRED_FILES.tokenCli), ...args], { cwd: REPO_ROOT, env: { ...process.env, ...common } });
      return stdout.trim().split('\n').pop();
    };
    const token = await tokenCli('create', '--name', 'platform', '--scope', 'admin');
    const runnerToken = await tokenCli('create', '--name', 'platform-runner', '--scope', 'runner');
    const apiPort = await freePort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;

    let apiStarts = 0;
    /** Starts (or restarts, on the same port) the API and waits for its health check; `port` starts another replica. */
    platform.startApi = async ({ port = apiPort } = {}) => {
      apiStarts += 1;
      const api = new ChildProcessHandle(`api#${apiStarts}${port === apiPort ? '' : ` :${port}`}`, process.execPath, [path.join(REPO_ROOT, REQUIRED_FILES.api)], {
        cwd: REPO_ROOT,
        env: { ...process.env, ...common, API_PORT: String(port), API_HOST: '127.0.0.1', DATA_ROOT: dataRoot, SOCKET_CHANNEL_PREFIX: `${id}-socket`, LOG_LEVEL: 'warn', ...(options.apiEnv?.(common) ?? {}) },
      });
      processes.push(api);
      if (port === apiPort) platform.apiProcess = api;
      await waitFor('the API health check', async () => {
        api.assertAlive();
        const response = await fetch(`http://127.0.0.1:${port}/api/health`);
        return response.ok && (await response.json()).status === 'ok';
      }, { timeout: 120_000 });
      return api;
    };
    /** Stops the API (SIGTERM to its process group) and waits for it to exit. */
    platform.stopApi = async () => platform.apiProcess?.stop();

    /** Starts a runner and waits until it consumes its queues. */
    platform.startRunner = async (name, env = {}) => {
      const runner = new ChildProcessHandle(`runner ${name}`, process.execPath, [path.join(REPO_ROOT, REQUIRED_FILES.runner)], {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          ...common,
          API_URL: apiUrl,
          API_TOKEN: runnerToken,
          RUNNER_NAME: `${id}-${name}`,
          RUNNER_DEVICES: '1',
          RUNNER_BACKEND: process.env.E2E_BACKEND ?? 'wasm',
          RUNNER_DATA_WORKERS: '0',
          RUNNER_HEARTBEAT_MS: '1000',
          METRICS_FLUSH_MS: '200',
          WORK_DIR: path.join(baseDir, name, 'work'),
          SPILL_DIR: path.join(baseDir, name, 'spill'),
          ...(options.runnerEnv ?? {}),
          ...env,
        },
      });
      processes.push(runner);
      platform.runners.set(name, runner);
      await waitFor(`runner ${name} to consume its queues`, () => {
        runner.assertAlive();
        return runner.output.some((line) => line.includes('consuming'));
      }, { timeout: 120_000 });
      return runner;
    };

    /** Signals one runner's process (not its group: the runner handles its training children itself). */
    platform.signalRunner = async (name, signal) => {
      const runner = platform.runners.get(name);
      if (!runner) throw new Error(`no runner ${name}`);
      if (signal === 'SIGKILL') {
        // A crash: the runner and its training child die together.
        process.kill(-runner.child.pid, 'SIGKILL');
      } else {
        process.kill(runner.child.pid, signal);
      }
      return runner.exit;
    };

    /** Authenticated JSON call to the API. */
    platform.api = apiClient(apiUrl, token);

    /**
     * A socket.io client subscribed to `rooms`; records every `metrics` and `run` event it receives.
     * Resolves once every subscription is acknowledged. `url`: another replica's (default: the API's).
     */
    platform.subscribe = async (rooms, { url = apiUrl } = {}) => {
      const socket = io(url, { path: '/socket.io', auth: { token }, transports: ['websocket'] });
      sockets.push(socket);
      const events = { metrics: [], run: [] };
      socket.on('metrics', (event) => events.metrics.push(event));
      socket.on('run', (event) => events.run.push(event));
      const subscribeAll = async () => {
        for (const room of rooms) {
          const ack = await socket.timeout(30_000).emitWithAck('subscribe', { room });
          if (!ack?.ok) throw new Error(`subscribe ${room}: ${JSON.stringify(ack)}`);
        }
      };
      await new Promise((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      await subscribeAll();
      // After an API restart the client reconnects: subscribe again.
      socket.io.on('reconnect', () => void subscribeAll().catch(() => undefined));
      return {
        socket,
        events,
        /** Metric points received for `runId`, by key. */
        points(runId, key) {
          return events.metrics.flatMap((e) => e.runs.filter((r) => r.runId === runId).flatMap((r) => r.points)).filter((p) => key === undefined || p.key === key);
        },
        close: () => socket.close(),
      };
    };

    Object.assign(platform, { apiUrl, token, runnerToken, databaseUrl: common.DATABASE_URL, common });
    await platform.startApi();
    return platform;
  } catch (error) {
    const logs = processes.map((p) => `--- ${p.name} ---\n${p.tail()}`).join('\n');
    await platform.stop();
    throw new Error(`${error.message}${logs ? `\n${logs}` : ''}`);
  }
}

/** Tails of every process's output, for failure messages. */
export function platformLogs(platform, lines = 30) {
  return platform.processes.map((p) => `--- ${p.name} ---\n${p.tail(lines)}`).join('\n');
}
