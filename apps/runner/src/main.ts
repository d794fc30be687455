import { parseEnv, runnerEnvSchema } from '@equilab/contracts';
import { Runner } from './runner';

/**
 * `node dist/main.js` — one runner process. SIGTERM / SIGINT preempt every run (checkpoint, `preempted`,
 * re-queued) and exit 0 once they are handed back; a second signal exits at once.
 */
async function main(): Promise<void> {
  const env = parseEnv('runner', runnerEnvSchema);
  const runner = new Runner({ env });
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      console.error(`runner: ${signal} again, exiting now`);
      process.exit(1);
    }
    stopping = true;
    console.log(`runner: ${signal} received`);
    runner.shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`runner: shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  await runner.start();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
