import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Command } from 'commander';
import { readCurveFile, type Curve } from '../science/curve.format';
import { compareCurves } from '../science/parity';
import { renderParityChart } from '../science/parity.chart';
import { parityMarkdown } from '../science/parity.report';
import { PARITY_STEPS, SCIENCE_DEFAULTS, SCIENCE_RECIPE } from '../science/science.recipe';
import { runSciencePlan, sciencePlan } from '../science/science.run';
import { interruptSignal } from './cli-action';
import { CliUsageError } from './train.command';

/** The repository root, from this file's place in apps/runner/dist/cli. */
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');

function list(field: string, raw: string, parse: (s: string) => number | string): (number | string)[] {
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new CliUsageError(field, `expected a comma-separated list, got '${raw}'`);
  return items.map(parse);
}

function positiveInt(field: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new CliUsageError(field, `expected a positive integer, got '${raw}'`);
  return n;
}

/** Reads every `*.jsonl` curve file of a folder (not recursive). */
export function readCurveFolder(field: string, dir: string): Curve[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliUsageError(field, `folder ${dir} does not exist`);
  const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort();
  if (files.length === 0) throw new CliUsageError(field, `${dir} holds no .jsonl curve files`);
  return files.map((f) => {
    try {
      return readCurveFile(path.join(dir, f));
    } catch (error) {
      throw new CliUsageError(field, (error as Error).message);
    }
  });
}

interface RunOptions {
  data: string;
  out: string;
  backend: string;
  parallel?: string;
  threads?: string;
  workers: string;
  methods: string;
  seeds: string;
  steps: string;
  longSeeds: string;
  longSteps: string;
  dryRun?: boolean;
}

interface CompareOptions {
  reference: string;
  runs: string;
  out?: string;
  steps: string;
  charts: boolean;
}

async function runCommand(options: RunOptions): Promise<number> {
  const data = path.resolve(options.data);
  const out = path.resolve(options.out);
  const cores = os.availableParallelism();
  const parallel = options.parallel !== undefined ? positiveInt('--parallel', options.parallel) : Math.max(1, Math.min(2, cores));
  // Measured here: a second wasm thread gives a step ≤ 1.2× faster, a second run side by side 2×.
  const threads = options.threads !== undefined ? positiveInt('--threads', options.threads) : Math.max(1, Math.floor(cores / parallel));
  const steps = positiveInt('--steps', options.steps);
  const longSteps = positiveInt('--long-steps', options.longSteps);
  const seeds = list('--seeds', options.seeds, (s) => positiveInt('--seeds', s)) as number[];
  const longSeeds = list('--long-seeds', options.longSeeds, (s) => positiveInt('--long-seeds', s)) as number[];
  const methods = list('--methods', options.methods, (s) => s) as string[];
  const { isMethodName } = await import('@equilab/contracts');
  for (const m of methods) if (!isMethodName(m)) throw new CliUsageError('--methods', `unknown method '${m}'`);
  const cli = path.join(__dirname, 'main.js');
  if (!existsSync(path.join(data, 'train_images.npy'))) {
    if (options.dryRun) throw new CliUsageError('--data', `${data} has no dataset (run without --dry-run to generate it)`);
    process.stderr.write(`science: generating the default dataset into ${data} (equilab data generate, defaults)\n`);
    const { generateDataset } = await import('@equilab/data');
    await generateDataset({ out: data });
  }
  const { PairDataset } = await import('@equilab/data');
  const dataset = await PairDataset.open({ root: data, imagesFile: path.join(data, 'train_images.npy'), labelsFile: path.join(data, 'train_labels.npy'), resolution: SCIENCE_RECIPE.resolution });
  const stepsPerEpoch = Math.floor(dataset.length / SCIENCE_RECIPE.batch_size);
  for (const [field, n] of [
    ['--steps', steps],
    ['--long-steps', longSteps],
  ] as const) {
    if (n % stepsPerEpoch !== 0) throw new CliUsageError(field, `${n} is not a whole number of epochs (${stepsPerEpoch} steps each on ${data})`);
  }
  const jobs = sciencePlan({ methods, seeds, steps, longSeeds, longSteps });
  process.stderr.write(
    `science: ${jobs.length} jobs, ${parallel} side by side (${threads} wasm thread(s) each), ${stepsPerEpoch} steps per epoch; out ${out}\n` +
      jobs.map((j) => `  ${j.method} seed ${j.seed} → step ${j.steps}\n`).join(''),
  );
  if (options.dryRun) return 0;
  mkdirSync(out, { recursive: true });
  const signal = interruptSignal('science: stopping the runs at their next step (each checkpoints; run the command again to resume)');
  const started = Date.now();
  const { failed } = await runSciencePlan(jobs, {
    cli,
    data,
    out,
    backend: options.backend,
    parallel,
    threads,
    workers: positiveInt('--workers', options.workers),
    stepsPerEpoch,
    signal,
    log: (line) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`),
  });
  const minutes = ((Date.now() - started) / 60000).toFixed(1);
  if (signal.aborted) {
    process.stderr.write(`science: stopped after ${minutes} min; run the same command again to resume\n`);
    return 130;
  }
  if (failed.length > 0) {
    process.stderr.write(`science: ${failed.length} job(s) failed: ${failed.map((j) => `${j.method} seed ${j.seed}`).join(', ')}\n`);
    return 1;
  }
  process.stdout.write(`science: all runs done in ${minutes} min this session; compare with \`npm run science:compare\`\n`);
  return 0;
}

async function compareCommand(options: CompareOptions): Promise<number> {
  const reference = readCurveFolder('--reference', path.resolve(options.reference));
  const runs = readCurveFolder('--runs', path.resolve(options.runs));
  const steps = list('--steps', options.steps, (s) => positiveInt('--steps', s)) as number[];
  const report = compareCurves(runs, reference, steps);
  if (report.methods.length === 0) {
    throw new CliUsageError('--runs', `no method in ${options.runs} has reference curves in ${options.reference}`);
  }
  const markdown = parityMarkdown(report);
  process.stdout.write(markdown);
  const out = path.resolve(options.out ?? options.runs);
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'parity.md'), markdown);
  writeFileSync(path.join(out, 'parity.json'), `${JSON.stringify(report, null, 2)}\n`);
  if (options.charts) {
    for (const parity of report.methods) {
      const accepted = [...new Set(parity.cells.filter((c) => c.acceptance).map((c) => c.stat))];
      const extra = [...new Set(parity.cells.filter((c) => c.stat.startsWith('extra/R2')).map((c) => c.stat))];
      const png = await renderParityChart({
        method: parity.method,
        stats: [...accepted, ...extra],
        equilab: runs.filter((c) => c.header.method === parity.method),
        reference: reference.filter((c) => c.header.method === parity.method),
      });
      const file = path.join(out, `parity-${parity.method}.png`);
      writeFileSync(file, png);
      process.stderr.write(`science: wrote ${file}\n`);
    }
  }
  process.stderr.write(`science: wrote ${path.join(out, 'parity.md')} and parity.json\n`);
  return report.ok ? 0 : 1;
}

export function registerScienceCommands(program: Command): void {
  const science = program.command('science').description('parity of Equilab training with the reference implementation (shared/reference)');
  science
    .command('run')
    .description('train the reference recipe (SIE and VICReg, seeds 1 and 2 to 3,000 steps, seed 1 to 6,000); resumable')
    .option('--data <dir>', 'the default generated dataset (generated there when missing)', path.join(REPO_ROOT, 'data', 'mini'))
    .option('--out <dir>', 'runs and their curves', path.join(REPO_ROOT, 'data', 'science'))
    .option('--backend <name>', 'TensorFlow.js backend', 'wasm')
    .option('--parallel <n>', 'runs side by side (default: 2 on 2+ cores)')
    .option('--threads <n>', 'wasm threads per run (default: cores ÷ parallel)')
    .option('--workers <n>', 'loader worker threads per run', '1')
    .option('--methods <list>', 'methods', SCIENCE_DEFAULTS.methods.join(','))
    .option('--seeds <list>', 'seeds trained to --steps', SCIENCE_DEFAULTS.seeds.join(','))
    .option('--steps <n>', 'steps of every seed', String(SCIENCE_DEFAULTS.steps))
    .option('--long-seeds <list>', 'seeds continued to --long-steps', SCIENCE_DEFAULTS.longSeeds.join(','))
    .option('--long-steps <n>', 'steps of the long seeds', String(SCIENCE_DEFAULTS.longSteps))
    .option('--dry-run', 'print the plan only')
    .action(async (options: RunOptions) => {
      process.exit(await runWithErrors('science run', () => runCommand(options)));
    });
  science
    .command('compare')
    .description('side-by-side table of Equilab runs and reference curves, a verdict per cell, and a PNG per method')
    .option('--reference <dir>', 'reference curves (any methods and seeds)', process.env.SIE_REFERENCE_DIR ?? path.join(REPO_ROOT, '..', 'shared', 'reference'))
    .option('--runs <dir>', "Equilab's curves (written by `science run`)", path.join(REPO_ROOT, 'data', 'science'))
    .option('--out <dir>', 'where parity.md, parity.json and the PNGs go (default: --runs)')
    .option('--steps <list>', 'steps compared where both sides have them', PARITY_STEPS.join(','))
    .option('--no-charts', 'skip the PNGs')
    .action(async (options: CompareOptions) => {
      process.exit(await runWithErrors('science compare', () => compareCommand(options)));
    });
}

async function runWithErrors(name: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    process.stderr.write(`equilab ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return error instanceof CliUsageError ? error.exitCode : 1;
  }
}
