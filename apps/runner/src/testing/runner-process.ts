import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from './fake-api.server';

export interface RunnerProcess {
  readonly process: ChildProcess;
  readonly output: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once the runner consumes its queues. */
  ready(): Promise<void>;
  /** The runner's Prometheus endpoint, from its JSON log line (once ready). */
  metricsUrl(): string;
}

/** Start `node dist/main.js` with `env` on top of this process's environment (runner tests only). */
export function startRunnerProcess(env: Record<string, string>): RunnerProcess {
  const child = spawn(process.execPath, [join(__dirname, '..', 'main.js')], {
    // An ephemeral /metrics port: several runners of one test must not fight over 9465.
    env: { ...process.env, RUNNER_METRICS_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const collect = (chunk: Buffer): void => {
    output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (process.env.RUNNER_TEST_VERBOSE) process.stderr.write(chunk);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let done = false;
  void exited.then(() => (done = true));
  return {
    process: child,
    output,
    exited,
    metricsUrl: () => {
      for (const line of output) {
        try {
          const port = (JSON.parse(line) as { metricsPort?: unknown }).metricsPort;
          if (typeof port === 'string') return `http://127.0.0.1:${port}/metrics`;
        } catch {
          // not a JSON log line (a child's stderr)
        }
      }
      throw new Error(`the runner logged no metrics port:\n${output.join('\n')}`);
    },
    ready: async () => {
      await waitFor('the runner to consume its queues', () => {
        if (done) throw new Error(`runner exited early:\n${output.join('\n')}`);
        return output.some((line) => line.includes('consuming'));
      });
    },
  };
}
