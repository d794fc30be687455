import { InvalidArgumentError, type Command } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import { formatDatasetSummary, generateDataset, inspectDataset, type GenerateProgress } from '@equilab/data';

/** Parse a non-negative integer option value; a bad value names the option (exit code 1 via commander). */
function integer(option: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`${option} must be a non-negative integer, got "${value}"`);
    return Number(value);
  };
}

function fraction(option: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0 || n >= 1) throw new InvalidArgumentError(`${option} must be a number in (0, 1), got "${value}"`);
    return n;
  };
}

interface GenerateFlags {
  out: string;
  classes: number;
  objectsPerClass: number;
  views: number;
  size: number;
  seed: number;
  workers?: number;
  trainFraction: number;
  json?: boolean;
}

/** A progress bar on a TTY, a plain line per 10 % otherwise. Returns the callback and a stop function. */
function progressReporter(json: boolean): { onProgress: GenerateProgress; stop: () => void } {
  if (process.stderr.isTTY && !json) {
    const bar = new SingleBar({ format: 'generate [{bar}] {percentage}% | {value}/{total} objects | ETA {eta}s', stream: process.stderr }, Presets.shades_classic);
    let started = false;
    return {
      onProgress: (done, total) => {
        if (!started) {
          bar.start(total, done);
          started = true;
        } else bar.update(done);
      },
      stop: () => started && bar.stop(),
    };
  }
  let lastDecile = -1;
  return {
    onProgress: (done, total) => {
      const decile = Math.floor((10 * done) / Math.max(1, total));
      if (decile === lastDecile) return;
      lastDecile = decile;
      (json ? process.stderr : process.stdout).write(`generate: ${done}/${total} objects (${Math.round((100 * done) / Math.max(1, total))}%)\n`);
    },
    stop: () => undefined,
  };
}

export function registerDataCommands(program: Command): void {
  const data = program.command('data').description('generate and inspect 3DIEBench-shaped datasets').showHelpAfterError(false);

  data
    .command('generate')
    .description('render a synthetic 3DIEBench-shaped dataset (software renderer, deterministic for a seed)')
    .requiredOption('--out <dir>', 'output folder (created)')
    .option('--classes <n>', 'number of classes (shape families)', integer('--classes'), 10)
    .option('--objects-per-class <n>', 'objects per class', integer('--objects-per-class'), 40)
    .option('--views <n>', 'views per object', integer('--views'), 50)
    .option('--size <px>', 'image side in pixels', integer('--size'), 64)
    .option('--seed <k>', 'random seed', integer('--seed'), 0)
    .option('--workers <n>', 'render worker threads (0 = main thread; default: CPU count)', integer('--workers'))
    .option('--train-fraction <f>', 'fraction of each class in the train split', fraction('--train-fraction'), 0.8)
    .option('--json', 'print the result as JSON')
    .showHelpAfterError(false)
    .action(async (flags: GenerateFlags) => {
      const { onProgress, stop } = progressReporter(Boolean(flags.json));
      let result;
      try {
        result = await generateDataset(
          {
            out: flags.out,
            classes: flags.classes,
            objectsPerClass: flags.objectsPerClass,
            views: flags.views,
            size: flags.size,
            seed: flags.seed,
            workers: flags.workers,
            trainFraction: flags.trainFraction,
          },
          onProgress,
        );
      } finally {
        stop();
      }
      if (flags.json) console.log(JSON.stringify(result));
      else {
        console.log(
          `wrote ${result.images} images of ${result.objects} objects (${result.classes} classes, ${result.train} train / ${result.val} val, ` +
            `${result.views} views, ${result.size}px) to ${result.out} in ${result.seconds.toFixed(1)} s`,
        );
      }
    });

  data
    .command('inspect')
    .description('summarise a 3DIEBench-shaped folder: classes, objects per split, views, resolution')
    .argument('<dir>', 'dataset root')
    .option('--json', 'print the summary as JSON')
    .showHelpAfterError(false)
    .action(async (dir: string, flags: { json?: boolean }) => {
      const summary = await inspectDataset(dir);
      console.log(flags.json ? JSON.stringify(summary) : formatDatasetSummary(summary));
    });
}
