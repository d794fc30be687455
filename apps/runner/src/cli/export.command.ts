import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { metricPointSchema, referenceWeightsFormatSchema, referenceWeightsFormats, type MetricPoint } from '@equilab/contracts';
import { metricPointsToScalars, readRunBackbone, writeEventFile, writeReferenceWeights } from '@equilab/interop';
import { CliUsageError } from './train.command';
import { addApiAccessOptions, resolveApiAccess, type ApiAccessOptions } from './api-access';
import { isUuid } from './equilab-api.client';

/** A run given on the command line: its output folder, or its id in the API. */
type RunRef = { readonly kind: 'dir'; readonly dir: string } | { readonly kind: 'id'; readonly id: string };

function resolveRun(raw: string | undefined): RunRef {
  if (!raw) throw new CliUsageError('RUN', "required: a run's output folder (equilab train --out) or a run id");
  const dir = path.resolve(raw);
  if (existsSync(dir) && statSync(dir).isDirectory()) return { kind: 'dir', dir };
  if (isUuid(raw)) return { kind: 'id', id: raw.toLowerCase() };
  throw new CliUsageError('RUN', `'${raw}' is neither a folder nor a run id`);
}

/** The points of a run folder's `metrics.jsonl` (one MetricPoint a line); a bad line is an error naming it. */
export function readMetricsJsonl(file: string): MetricPoint[] {
  const points: MetricPoint[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new Error(`${file}:${i + 1}: not JSON`);
      }
      const point = metricPointSchema.safeParse(parsed);
      if (!point.success) throw new Error(`${file}:${i + 1}: not a metric point (${point.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')})`);
      points.push(point.data);
    });
  return points;
}

/** `GET /api/runs/:id/metrics/export?format=jsonl` rows (`{run, key, step, value, time: ISO}`) as metric points. */
function parseExportRows(text: string): MetricPoint[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const row = JSON.parse(line) as { key: string; step: number; value: number; time: string };
      return metricPointSchema.parse({ key: row.key, step: row.step, value: row.value, time: Date.parse(row.time) });
    });
}

export interface ExportTensorboardOptions extends ApiAccessOptions {
  out?: string;
}

/** `equilab export tensorboard RUN --out DIR`: one event file of the run's scalars; returns its path and size. */
export async function runExportTensorboard(run: string | undefined, options: ExportTensorboardOptions): Promise<{ file: string; points: number }> {
  const ref = resolveRun(run);
  if (!options.out) throw new CliUsageError('--out', 'required: the folder the event file is written to (TensorBoard --logdir)');
  let points: MetricPoint[];
  if (ref.kind === 'dir') {
    const file = path.join(ref.dir, 'metrics.jsonl');
    if (!existsSync(file)) throw new CliUsageError('RUN', `${ref.dir} has no metrics.jsonl (is it a run folder of equilab train?)`);
    points = readMetricsJsonl(file);
  } else {
    const api = resolveApiAccess(options);
    points = parseExportRows(Buffer.from(await api.bytes('GET', `/api/runs/${ref.id}/metrics/export?format=jsonl`)).toString('utf8'));
  }
  const file = writeEventFile(path.resolve(options.out), metricPointsToScalars(points));
  return { file, points: points.length };
}

export interface ExportWeightsOptions extends ApiAccessOptions {
  format?: string;
  out?: string;
}

/** `equilab export weights RUN --format F --out FILE`: the backbone in the reference's naming and layout. */
export async function runExportWeights(run: string | undefined, options: ExportWeightsOptions): Promise<{ file: string; bytes: number; source: string }> {
  const ref = resolveRun(run);
  const format = referenceWeightsFormatSchema.safeParse(options.format ?? 'pth-state-dict');
  if (!format.success) throw new CliUsageError('--format', `expected one of ${referenceWeightsFormats.join(', ')}, got '${options.format}'`);
  if (!options.out) throw new CliUsageError('--out', 'required: the file to write');
  const out = path.resolve(options.out);
  if (!existsSync(path.dirname(out))) throw new CliUsageError('--out', `folder ${path.dirname(out)} does not exist`);
  if (existsSync(out) && statSync(out).isDirectory()) throw new CliUsageError('--out', `${out} is a folder; give a file name`);
  if (ref.kind === 'dir') {
    const backbone = readRunBackbone(ref.dir);
    const bytes = writeReferenceWeights(backbone.tensors, format.data, out, { source: backbone.file });
    return { file: out, bytes, source: backbone.which === 'final' ? 'final weights' : 'last checkpoint (training not finished)' };
  }
  const api = resolveApiAccess(options);
  const bytes = await api.bytes('GET', `/api/runs/${ref.id}/weights?format=${format.data}`);
  const tmp = `${out}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, out);
  } finally {
    rmSync(tmp, { force: true });
  }
  return { file: out, bytes: bytes.length, source: `run ${ref.id}` };
}

async function report(verb: string, work: () => Promise<string>): Promise<never> {
  let exitCode = 0;
  try {
    process.stdout.write(`${await work()}\n`);
  } catch (error) {
    process.stderr.write(`equilab export ${verb}: ${error instanceof Error ? error.message : String(error)}\n`);
    exitCode = error instanceof CliUsageError ? error.exitCode : 1;
  }
  process.exit(exitCode);
}

export function registerExportCommands(program: Command): void {
  const group = program.command('export').description('hand Equilab runs to other tools');
  addApiAccessOptions(
    group
      .command('tensorboard')
      .description("write a run's scalars as a TensorBoard event file (view with tensorboard --logdir DIR)")
      .argument('[run]', "a run's output folder (reads metrics.jsonl) or a run id (reads the API)")
      .option('--out <dir>', 'folder for the event file'),
  ).action((run: string | undefined, options: ExportTensorboardOptions) =>
    report('tensorboard', async () => {
      const { file, points } = await runExportTensorboard(run, options);
      return `${file}: ${points} points`;
    }),
  );
  addApiAccessOptions(
    group
      .command('weights')
      .description("write a run's backbone in the reference's PyTorch naming and layout (torch.load / load_state_dict)")
      .argument('[run]', "a run's output folder or a run id")
      .option('--format <format>', referenceWeightsFormats.join(' | '), 'pth-state-dict')
      .option('--out <file>', 'file to write'),
  ).action((run: string | undefined, options: ExportWeightsOptions) =>
    report('weights', async () => {
      const { file, bytes, source } = await runExportWeights(run, options);
      return `${file}: ${bytes} bytes (${source})`;
    }),
  );
}
