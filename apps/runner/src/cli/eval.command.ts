import { appendFileSync, existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { backendNameSchema, evaluationKinds, parseEvaluationConfig, type BackendName, type EvaluationOutcome, type MetricPoint } from '@equilab/contracts';
import { exitWith, interruptSignal, withRuntimeOptions } from './cli-action';
import { CliUsageError, parseSetOption } from './train.command';

/** `equilab eval` options as commander hands them over. */
export interface EvalCommandOptions {
  kind?: string;
  runDir?: string;
  data?: string;
  evalDir?: string;
  set: string[];
  backend: string;
  workers: string;
  seed: string;
  threads?: string;
}

export interface ResolvedEvalCommand {
  readonly kind: string;
  readonly config: Record<string, unknown>;
  readonly runDir: string;
  readonly dataRoot: string;
  readonly evalDir: string;
  readonly backend: BackendName;
  readonly workers: number;
  readonly seed: number;
  readonly threads?: number;
}

function parseInteger(field: string, raw: string, min: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new CliUsageError(field, `expected an integer ≥ ${min}, got '${raw}'`);
  return value;
}

function existingFolder(field: string, raw: string | undefined, what: string): string {
  if (!raw) throw new CliUsageError(field, `required: ${what}`);
  const dir = path.resolve(raw);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliUsageError(field, `folder ${dir} does not exist`);
  return dir;
}

/** Validates the command line; every error names the option or config field. */
export function resolveEvalCommand(options: EvalCommandOptions): ResolvedEvalCommand {
  if (!options.kind) throw new CliUsageError('--kind', `required (one of ${evaluationKinds.join(', ')})`);
  const runDir = existingFolder('--run-dir', options.runDir, "a pretraining run's output folder (equilab train --out)");
  if (!existsSync(path.join(runDir, 'checkpoint.safetensors'))) throw new CliUsageError('--run-dir', `${runDir} has no checkpoint.safetensors`);
  const dataRoot = existingFolder('--data', options.data, 'the dataset root folder');
  for (const split of ['train', 'val'])
    if (!existsSync(path.join(dataRoot, `${split}_images.npy`))) throw new CliUsageError('--data', `${dataRoot} has no ${split}_images.npy`);
  const backend = backendNameSchema.safeParse(options.backend);
  if (!backend.success) throw new CliUsageError('--backend', `expected one of ${backendNameSchema.options.join(', ')}, got '${options.backend}'`);
  const config: Record<string, unknown> = {};
  for (const raw of options.set) {
    const [key, value] = parseSetOption(raw);
    config[key] = value;
  }
  try {
    parseEvaluationConfig(options.kind, config);
  } catch (error) {
    const message = (error as Error).message;
    throw new CliUsageError(message.startsWith('kind:') ? '--kind' : '--set', message);
  }
  const part = typeof config.part === 'string' ? config.part : options.kind === 'retrieval' ? 'equi' : 'full';
  return {
    kind: options.kind,
    config,
    runDir,
    dataRoot,
    evalDir: path.resolve(options.evalDir ?? path.join(runDir, 'evaluations', `${options.kind}-${part}`)),
    backend: backend.data,
    workers: parseInteger('--workers', options.workers, 0),
    seed: parseInteger('--seed', options.seed, 0),
    ...(options.threads !== undefined ? { threads: parseInteger('--threads', options.threads, 1) } : {}),
  };
}

export interface EvalCommandResult {
  readonly status: 'completed' | 'canceled';
  readonly outcome: EvaluationOutcome | null;
  readonly evalDir: string;
}

/** Runs `equilab eval`: metrics go to `<evalDir>/metrics.jsonl`, the result to `<evalDir>/result.json`. */
export async function runEvalCommand(options: EvalCommandOptions, signal?: AbortSignal): Promise<EvalCommandResult> {
  const resolved = resolveEvalCommand(options);
  const sie = await import('@equilab/sie');
  const metricsFile = path.join(resolved.evalDir, 'metrics.jsonl');
  let lastLine = 0;
  const result = await sie.evaluate({
    kind: resolved.kind,
    config: resolved.config,
    dataRoot: resolved.dataRoot,
    outDir: resolved.runDir,
    evalDir: resolved.evalDir,
    backend: resolved.backend,
    seed: resolved.seed,
    workers: resolved.workers,
    ...(resolved.threads !== undefined ? { threads: resolved.threads } : {}),
    ...(signal ? { signal } : {}),
    onMetrics: (points: MetricPoint[]) => {
      appendFileSync(metricsFile, points.map((p) => JSON.stringify(p)).join('\n') + '\n');
      for (const p of points) if (p.key.startsWith('Metrics/val')) process.stderr.write(`step ${p.step} ${p.key} = ${p.value.toFixed(4)}\n`);
    },
    onProgress: (p) => {
      const now = Date.now();
      if (now - lastLine < 2000 && p.epoch < p.totalEpochs) return;
      lastLine = now;
      process.stderr.write(`epoch ${p.epoch}/${p.totalEpochs} ${p.imagesPerSecond.toFixed(1)} img/s\n`);
    },
  });
  return { status: result.status, outcome: result.outcome, evalDir: result.evalDir };
}

export function registerEvalCommand(program: Command): void {
  withRuntimeOptions(
    program
      .command('eval')
      .description('offline evaluation of a pretraining run (resumes when --eval-dir holds its checkpoint)')
      .option('--kind <kind>', `evaluation: ${evaluationKinds.join(', ')}`)
      .option('--run-dir <dir>', "pretraining run's output folder (holds checkpoint.safetensors)")
      .option('--data <dir>', 'dataset root (train/val split files and synset folders)')
      .option('--eval-dir <dir>', 'output folder (default <run-dir>/evaluations/<kind>-<part>)')
      .option('--set <key=value>', 'evaluation option, e.g. epochs=50, part=equi, head=mlp, bn_mode=frozen (repeatable)', (value: string, previous: string[]) => [...previous, value], [] as string[]),
    { help: 'seed of the probe head and view sampling', default: '0' },
  )
    .action((options: EvalCommandOptions) =>
      exitWith('eval', async () => {
        const signal = interruptSignal('stopping (the last finished epoch is checkpointed; run again to resume)');
        const result = await runEvalCommand(options, signal);
        if (result.status === 'canceled') return 130;
        process.stdout.write(`${JSON.stringify(result.outcome)}\n`);
        return 0;
      }),
    );
}
