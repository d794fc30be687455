import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { parse as parseYaml } from 'yaml';
import { exitWith, interruptSignal, withRuntimeOptions } from './cli-action';
import {
  backendNameSchema,
  isMethodName,
  logEverySchema,
  methodNames,
  parseMethodRun,
  type BackendName,
  type LogEvery,
  type MethodRun,
  type MetricPoint,
  type Progress,
} from '@equilab/contracts';
import type { InitialWeightsReport } from '@equilab/interop';
import type { TrainOptions } from '@equilab/sie';

/** `equilab train` options as commander hands them over. */
export interface TrainCommandOptions {
  method?: string;
  data?: string;
  out?: string;
  config?: string;
  set: string[];
  backend: string;
  workers: string;
  seed?: string;
  threads?: string;
  metricsEvery: string;
  metricsEverySeconds: string;
  initWeights?: string;
}

/** A user mistake on the command line: printed as one line naming the option, exit code 2. */
export class CliUsageError extends Error {
  readonly exitCode = 2;
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'CliUsageError';
  }
}

function parseInteger(field: string, raw: string, min: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new CliUsageError(field, `expected an integer ≥ ${min}, got '${raw}'`);
  return value;
}

/** `--metrics-every` / `--metrics-every-seconds` read with the job's own schema (same bounds as a platform run). */
function parseLogEvery(steps: string, seconds: string): LogEvery {
  const result = logEverySchema.safeParse({ steps: Number(steps), seconds: Number(seconds) });
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path[0] === 'seconds' ? '--metrics-every-seconds' : '--metrics-every';
  throw new CliUsageError(field, `${issue?.message ?? 'invalid'} (got '${field === '--metrics-every' ? steps : seconds}')`);
}

/** `key=value` → [key, value]; the value is read as YAML (numbers, booleans, strings; empty = ""). */
export function parseSetOption(raw: string): [string, unknown] {
  const eq = raw.indexOf('=');
  if (eq <= 0) throw new CliUsageError('--set', `expected key=value, got '${raw}'`);
  const key = raw.slice(0, eq).trim();
  const text = raw.slice(eq + 1);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new CliUsageError('--set', `'${key}' is not an option name`);
  if (text.trim() === '') return [key, ''];
  try {
    const value: unknown = parseYaml(text);
    return [key, value === null ? text : value];
  } catch {
    return [key, text];
  }
}

function readConfigFile(file: string): Record<string, unknown> {
  if (!existsSync(file)) throw new CliUsageError('--config', `file ${file} does not exist`);
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliUsageError('--config', `${file} is not valid YAML/JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new CliUsageError('--config', `${file} must hold a mapping of option: value`);
  return parsed as Record<string, unknown>;
}

export interface ResolvedTrainCommand {
  /** The method and its config, parsed once here. */
  readonly run: MethodRun;
  readonly dataRoot: string;
  readonly outDir: string;
  readonly backend: BackendName;
  readonly workers: number;
  readonly seed: number;
  readonly threads?: number;
  readonly logEvery: LogEvery;
  /** `--init-weights`: absolute path of the weights a fresh run starts from. */
  readonly initWeights?: string;
}

/** Validates the command line; every error names the option or config field. */
export function resolveTrainCommand(options: TrainCommandOptions): ResolvedTrainCommand {
  const fileConfig = options.config ? readConfigFile(options.config) : {};
  const fileMethod = typeof fileConfig.method === 'string' ? fileConfig.method : undefined;
  delete fileConfig.method;
  const method = options.method ?? fileMethod;
  if (method === undefined) throw new CliUsageError('--method', `required (one of ${methodNames.join(', ')})`);
  if (!isMethodName(method)) throw new CliUsageError('--method', `unknown method '${method}'; expected one of ${methodNames.join(', ')}`);
  if (!options.data) throw new CliUsageError('--data', 'required: the dataset root folder');
  const dataRoot = path.resolve(options.data);
  if (!existsSync(dataRoot) || !statSync(dataRoot).isDirectory()) throw new CliUsageError('--data', `folder ${dataRoot} does not exist`);
  if (!existsSync(path.join(dataRoot, 'train_images.npy'))) {
    throw new CliUsageError('--data', `${dataRoot} has no train_images.npy (generate one with \`equilab data generate --out ${options.data}\`)`);
  }
  if (!options.out) throw new CliUsageError('--out', 'required: the output folder');
  const backend = backendNameSchema.safeParse(options.backend);
  if (!backend.success) throw new CliUsageError('--backend', `expected one of ${backendNameSchema.options.join(', ')}, got '${options.backend}'`);
  const overrides: Record<string, unknown> = { ...fileConfig };
  for (const raw of options.set) {
    const [key, value] = parseSetOption(raw);
    overrides[key] = value;
  }
  if (options.seed !== undefined) overrides.seed = parseInteger('--seed', options.seed, 0);
  let initWeights: string | undefined;
  if (options.initWeights !== undefined) {
    initWeights = path.resolve(options.initWeights);
    if (!existsSync(initWeights) || !statSync(initWeights).isFile()) throw new CliUsageError('--init-weights', `file ${initWeights} does not exist`);
  }
  const run = (() => {
    try {
      return parseMethodRun(method, overrides);
    } catch (error) {
      throw new CliUsageError('--set/--config', (error as Error).message);
    }
  })();
  return {
    run,
    dataRoot,
    outDir: path.resolve(options.out),
    backend: backend.data,
    workers: parseInteger('--workers', options.workers, 0),
    seed: run.config.seed,
    ...(options.threads !== undefined ? { threads: parseInteger('--threads', options.threads, 1) } : {}),
    logEvery: parseLogEvery(options.metricsEvery, options.metricsEverySeconds),
    ...(initWeights !== undefined ? { initWeights } : {}),
  };
}

function formatSeconds(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}

/** Progress display: a bar on a TTY, one plain line every few seconds otherwise. */
class ProgressDisplay {
  private bar: SingleBar | null = null;
  private lastLine = 0;
  private loss: number | null = null;

  constructor(private readonly tty: boolean) {}

  setLoss(loss: number): void {
    this.loss = loss;
  }

  update(p: Progress): void {
    const loss = this.loss === null ? '–' : this.loss.toFixed(4);
    const fields = { loss, ips: p.imagesPerSecond.toFixed(1), eta_s: formatSeconds(p.etaSeconds), epoch: p.epoch, epochs: p.totalEpochs };
    if (this.tty) {
      if (this.bar === null) {
        this.bar = new SingleBar({
          format: 'train [{bar}] {value}/{total} steps | epoch {epoch}/{epochs} | loss {loss} | {ips} img/s | ETA {eta_s}',
          hideCursor: true,
          stream: process.stderr,
        });
        this.bar.start(p.totalSteps, p.step, fields);
      } else this.bar.update(p.step, fields);
      return;
    }
    const now = Date.now();
    if (now - this.lastLine < 5000 && p.step < p.totalSteps) return;
    this.lastLine = now;
    process.stderr.write(`step ${p.step}/${p.totalSteps} epoch ${p.epoch}/${p.totalEpochs} loss ${loss} ${fields.ips} img/s ETA ${fields.eta_s}\n`);
  }

  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}

export interface TrainCommandResult {
  readonly status: 'completed' | 'canceled';
  readonly step: number;
  /** Last value of every metric key. */
  readonly last: Record<string, number>;
}

/** Runs `equilab train`; resolves with the training outcome (the caller maps it to an exit code). */
export async function runTrainCommand(options: TrainCommandOptions, signal?: AbortSignal): Promise<TrainCommandResult> {
  const resolved = resolveTrainCommand(options);
  const checkpoint = path.join(resolved.outDir, 'checkpoint.safetensors');
  const resume = existsSync(checkpoint);
  // Read (its format checked) before anything is written or set up; names and shapes are checked against the
  // run's model before the first step.
  const interop = resolved.initWeights !== undefined && !resume ? await import('@equilab/interop') : undefined;
  const initial = interop && resolved.initWeights !== undefined ? interop.readInitialWeights(resolved.initWeights) : undefined;
  mkdirSync(resolved.outDir, { recursive: true });
  writeFileSync(
    path.join(resolved.outDir, 'config.json'),
    `${JSON.stringify({ method: resolved.run.method, config: resolved.run.config, seed: resolved.seed, dataRoot: resolved.dataRoot, backend: resolved.backend, ...(resolved.initWeights !== undefined ? { initWeights: resolved.initWeights } : {}) }, null, 2)}\n`,
  );
  const metricsFile = path.join(resolved.outDir, 'metrics.jsonl');
  const display = new ProgressDisplay(process.stderr.isTTY === true);
  const last: Record<string, number> = {};
  // Loaded lazily: TensorFlow.js is only needed by this command.
  const sie = await import('@equilab/sie');
  if (resume) process.stderr.write(`resuming from ${checkpoint}${resolved.initWeights !== undefined ? ' (--init-weights applies to a fresh run only: ignored)' : ''}\n`);
  try {
    const result = await sie.train({
      run: resolved.run,
      dataRoot: resolved.dataRoot,
      outDir: resolved.outDir,
      backend: resolved.backend,
      seed: resolved.seed,
      workers: resolved.workers,
      ...(resolved.threads !== undefined ? { threads: resolved.threads } : {}),
      logEvery: resolved.logEvery,
      resume,
      ...(signal ? { signal } : {}),
      ...(initial && interop
        ? {
            initialise: (parts: Parameters<NonNullable<TrainOptions['initialise']>>[0]) => {
              const report = interop.applyInitialWeights(initial, resolved.run.method, parts);
              process.stderr.write(`${initWeightsLine(report)}\n`);
            },
          }
        : {}),
      onDevice: (device) => process.stderr.write(`device: ${device.device}\n`),
      onMetrics: (points: MetricPoint[]) => {
        appendFileSync(metricsFile, points.map((p) => JSON.stringify(p)).join('\n') + '\n');
        for (const p of points) {
          last[p.key] = p.value;
          if (p.key === 'Loss/Total loss') display.setLoss(p.value);
        }
      },
      onProgress: (p) => display.update(p),
    });
    display.stop();
    return { status: result.status, step: result.step, last };
  } finally {
    display.stop();
  }
}

/** What `--init-weights` loaded, for the log. */
export function initWeightsLine(report: InitialWeightsReport): string {
  const heads = report.headTensors > 0 ? ` and the method heads (${report.headTensors} tensors)` : '';
  const seeded = report.headTensors > 0 ? '' : '; the method heads start from the seed (the file holds none)';
  return `initialised the backbone (${report.backboneTensors} tensors)${heads} from ${report.file} (${report.source})${seeded}`;
}

/** Headline online-evaluation figures of a finished run. */
export function summaryLines(last: Record<string, number>): string[] {
  return Object.entries(last)
    .filter(([key]) => /^Online eval .*\/(Top-1|R2) /.test(key) || key === 'Loss/Total loss')
    .map(([key, value]) => `${key} = ${value.toFixed(4)}`);
}

export function registerTrainCommand(program: Command): void {
  withRuntimeOptions(
    program
      .command('train')
      .description('pretrain one method on a 3DIEBench-shaped dataset (resumes when --out holds a checkpoint)')
      .option('--method <name>', `method: ${methodNames.join(', ')}`)
      .option('--data <dir>', 'dataset root (train_images.npy, train_labels.npy, synset folders)')
      .option('--out <dir>', 'output folder: checkpoint, final weights, metrics.jsonl, config.json')
      .option('--config <file>', 'YAML or JSON mapping of method options')
      .option('--set <key=value>', 'override one option (repeatable)', (value: string, previous: string[]) => [...previous, value], [] as string[]),
    { help: 'seed (overrides the config’s seed)' },
  )
    .option('--init-weights <file>', "start from these weights instead of the seeded init: a run's final_weights.safetensors or checkpoint.safetensors (also the heads), or the reference's resnet18 .pth/safetensors (backbone)")
    .option('--metrics-every <steps>', 'write metrics every N steps', '10')
    .option('--metrics-every-seconds <s>', '…and at least every T seconds', '30')
    .action((options: TrainCommandOptions) =>
      exitWith('train', async () => {
        const signal = interruptSignal('stopping at the next step (checkpointing; press Ctrl-C again to quit now)');
        const result = await runTrainCommand(options, signal);
        if (result.status === 'canceled') {
          process.stderr.write(`canceled at step ${result.step}; run the same command again to resume\n`);
          return 130;
        }
        process.stdout.write(`completed ${result.step} steps\n${summaryLines(result.last).join('\n')}\n`);
        return 0;
      }),
    );
}
