import type { Command } from 'commander';
import { CliUsageError } from './train.command';

/**
 * An AbortSignal for a long command: the first Ctrl-C / SIGTERM prints `message` and aborts it (the command
 * checkpoints and stops), a second one exits at once with code 130.
 */
export function interruptSignal(message: string): AbortSignal {
  const controller = new AbortController();
  const stop = (): void => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(`\n${message}\n`);
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return controller.signal;
}

/**
 * Runs a command's body and exits with its code: a thrown error is printed as one line `equilab <command>: …`
 * (exit 2 for a usage error, else 1). Exits explicitly: wasm worker threads would keep the process alive.
 */
export async function exitWith(command: string, body: () => Promise<number>): Promise<never> {
  let exitCode: number;
  try {
    exitCode = await body();
  } catch (error) {
    process.stderr.write(`equilab ${command}: ${error instanceof Error ? error.message : String(error)}\n`);
    exitCode = error instanceof CliUsageError ? error.exitCode : 1;
  }
  process.exit(exitCode);
}

/** The options of every command that runs TensorFlow.js on a dataset: backend, loader workers, seed, wasm threads. */
export function withRuntimeOptions(command: Command, seed: { readonly help: string; readonly default?: string }): Command {
  return command
    .option('--backend <name>', 'TensorFlow.js backend: auto, wasm, cpu, tensorflow, tensorflow-gpu', 'wasm')
    .option('--workers <n>', 'data loader worker threads', '1')
    .option('--seed <n>', seed.help, seed.default)
    .option('--threads <n>', 'wasm threads');
}
