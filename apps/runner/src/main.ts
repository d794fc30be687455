import { parseEnv, runnerEnvSchema } from '@equilab/contracts';
import { Runner } from './runner';

/**
 * `node dist/main.js` (`npm start -w @equilab/runner`) — one runner process. SIGTERM / SIGINT preempt every
 * run (checkpoint, `preempted`, re-queued) and exit 0 once they are handed back; a second signal exits at once.
 *
 * Environment (libs/contracts `runnerEnvSchema`; only API_TOKEN is required):
 *   API_TOKEN        runner-scoped token of the API              REDIS_URL    redis://127.0.0.1:6379
 *   API_URL          http://127.0.0.1:4000                       QUEUE_PREFIX bull (must equal the API's)
 *   RUNNER_NAME      hostname-pid                                RUNNER_DEVICES 1 (= BullMQ concurrency)
 *   RUNNER_BACKEND   wasm (used when a job asks for `auto`)      RUNNER_QUEUES pretrain,evaluate
 *   ARTIFACT_DIR     ./var/artifacts (shared by all runners: checkpoints under runs/<runId>/)
 *   WORK_DIR         ./var/work (per-run training folders)       SPILL_DIR    ./var/spill (unsent metrics)
 *   RUNNER_LOCK_DURATION_MS 30000, RUNNER_STALLED_INTERVAL_MS 15000, RUNNER_MAX_STALLED_COUNT 5,
 *   RUNNER_HEARTBEAT_MS 5000, METRICS_FLUSH_MS 500, METRICS_BATCH_SIZE 1000, METRICS_MEMORY_LIMIT 20000,
 *   RUNNER_DATA_WORKERS 1, RUNNER_CHILD_ENTRY dist/child/child.main.js (tests fork testing/stub-child.main.js).
 */
async function main(): Promise<void> {
  const env = parseEnv('runner', runnerEnvSchema);
  const runner = new Runner({ env });
  const logger = runner.logger;
  // pino writes synchronously in JSON mode; with LOG_FORMAT=pretty (a transport thread) flush before exiting.
  const exit = (code: number): void => logger.flush(() => process.exit(code));
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, `${signal} again: exiting now`);
      exit(1);
      return;
    }
    stopping = true;
    logger.info({ signal }, `${signal} received: preempting the active runs`);
    runner.shutdown().then(
      () => exit(0),
      (error: unknown) => {
        logger.error({ signal, err: error }, `shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
        exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  try {
    await runner.start();
  } catch (error) {
    logger.fatal({ err: error }, `runner failed to start: ${error instanceof Error ? error.message : String(error)}`);
    exit(1);
  }
}

main().catch((error: unknown) => {
  // Before the logger exists (the environment did not parse): one line on stderr.
  process.stderr.write(`runner: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
