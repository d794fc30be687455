import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import {
  MAX_TENSORBOARD_FILES,
  MAX_TENSORBOARD_UPLOAD_BYTES,
  MethodConfigError,
  methodNames,
  MAX_WEIGHTS_UPLOAD_BYTES,
  tensorboardImportResultSchema,
  weightsImportResultSchema,
  type TensorboardImportResult,
  type WeightsImportResult,
} from '@equilab/contracts';
import { findEventLogDirs, writeReferenceRun, type EventLogDir } from '@equilab/interop';
import { ApiError } from '../api-client/api.error';
import { CliUsageError, parseSetOption } from './train.command';
import { addApiAccessOptions, resolveApiAccess, type ApiAccessOptions } from './api-access';

export interface ImportTensorboardOptions extends ApiAccessOptions {
  project?: string;
  method?: string;
}

/** The method a reference experiment name starts with (`SIE_seed1` → SIE, `VICReg-lr3` → VICReg), else `imported`. */
export function methodFromRunName(name: string): string {
  const base = name.split('/').pop() ?? name;
  const candidates = methodNames.filter(
    (m) => base === m || (base.startsWith(m) && /[^A-Za-z0-9]/.test(base.charAt(m.length))),
  );
  return candidates.sort((a, b) => b.length - a.length)[0] ?? 'imported';
}

export interface ImportedRun {
  readonly logDir: string;
  readonly result: TensorboardImportResult | null;
  /** Why the run was not (fully) imported: the API's message (e.g. a corrupt record: file and byte offset). */
  readonly error: string | null;
}

function checkBounds(logDir: EventLogDir): void {
  if (logDir.files.length > MAX_TENSORBOARD_FILES)
    throw new Error(
      `${logDir.dir}: ${logDir.files.length} event files, at most ${MAX_TENSORBOARD_FILES} per run`,
    );
  const bytes = logDir.files.reduce((n, f) => n + statSync(f).size, 0);
  if (bytes > MAX_TENSORBOARD_UPLOAD_BYTES)
    throw new Error(
      `${logDir.dir}: ${bytes} bytes of event files, at most ${MAX_TENSORBOARD_UPLOAD_BYTES} per run`,
    );
}

/**
 * `equilab import tensorboard DIR --project P`: one Equilab run per log directory under DIR (tags and wall times
 * kept), each uploaded to `POST /api/imports/tensorboard`, which parses and stores it. A corrupt file is reported
 * with its byte offset; its earlier records are kept in the run.
 */
export async function runImportTensorboard(
  dir: string | undefined,
  options: ImportTensorboardOptions,
  log: (line: string) => void,
): Promise<ImportedRun[]> {
  if (!dir) throw new CliUsageError('DIR', 'required: a TensorBoard log directory');
  const root = path.resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory())
    throw new CliUsageError('DIR', `folder ${root} does not exist`);
  if (!options.project)
    throw new CliUsageError('--project', 'required: the project (id or name) the runs go to');
  if (options.method !== undefined && !/^[A-Za-z0-9_.-]{1,100}$/.test(options.method))
    throw new CliUsageError('--method', `expected a method name, got '${options.method}'`);
  const logDirs = findEventLogDirs(root);
  if (logDirs.length === 0)
    throw new CliUsageError('DIR', `no TensorBoard event files (events.out.tfevents.*) under ${root}`);
  const api = resolveApiAccess(options);
  const project = await api.resolveProject(options.project);
  const imported: ImportedRun[] = [];
  for (const logDir of logDirs) {
    try {
      checkBounds(logDir);
      const form = new FormData();
      form.set('projectId', project.id);
      form.set('name', logDir.name);
      form.set('method', options.method ?? methodFromRunName(logDir.name));
      for (const file of logDir.files)
        form.append('files', new Blob([readFileSync(file)]), path.basename(file));
      const result = tensorboardImportResultSchema.parse(
        await api.json('POST', '/api/imports/tensorboard', form),
      );
      const skipped = result.skipped.map((s) => `${s.tag} (${s.kind}) ×${s.count}`);
      const dropped = result.dropped.map((d) => `${d.tag}: ${d.reason} ×${d.count}`);
      log(
        `${logDir.name} → run ${result.runId}: ${result.points} points, ${result.keys} tags` +
          (skipped.length ? `; skipped ${skipped.join(', ')}` : '') +
          (dropped.length ? `; dropped ${dropped.join(', ')}` : ''),
      );
      imported.push({ logDir: logDir.dir, result, error: null });
    } catch (error) {
      const message =
        error instanceof ApiError && error.status !== null
          ? apiMessage(error)
          : error instanceof Error
            ? error.message
            : String(error);
      log(`${logDir.name}: ${message}`);
      imported.push({ logDir: logDir.dir, result: null, error: message });
    }
  }
  return imported;
}

/** The `error.message` of the API's JSON error body, else the raw answer. */
function apiMessage(error: ApiError): string {
  try {
    const body = JSON.parse(error.body) as { error?: { message?: string } };
    if (body.error?.message) return `HTTP ${error.status}: ${body.error.message}`;
  } catch {
    // not JSON: fall through
  }
  return error.message;
}

export interface ImportWeightsOptions extends ApiAccessOptions {
  method?: string;
  out?: string;
  set: string[];
  project?: string;
  name?: string;
  dataRoot?: string;
  backend?: string;
}

/**
 * `equilab import weights FILE --method M --project P`: uploads the weights to `POST /api/imports/weights`, which
 * creates an `imported` run holding them as final weights; the platform's evaluation routes evaluate it.
 */
export async function runImportWeightsToApi(
  file: string | undefined,
  options: ImportWeightsOptions,
): Promise<WeightsImportResult> {
  if (!file) throw new CliUsageError('FILE', 'required: reference weights (.pth or safetensors)');
  const weightsFile = path.resolve(file);
  if (!existsSync(weightsFile) || !statSync(weightsFile).isFile())
    throw new CliUsageError('FILE', `${weightsFile} does not exist`);
  if (statSync(weightsFile).size > MAX_WEIGHTS_UPLOAD_BYTES)
    throw new CliUsageError(
      'FILE',
      `${weightsFile}: larger than the ${MAX_WEIGHTS_UPLOAD_BYTES} bytes an upload may have`,
    );
  if (!options.method)
    throw new CliUsageError(
      '--method',
      `required: the method the weights were trained with (${methodNames.join(', ')})`,
    );
  if (options.out)
    throw new CliUsageError(
      '--out',
      'give either --out (a local run folder) or --project (a run in the API), not both',
    );
  const config: Record<string, unknown> = {};
  for (const raw of options.set) {
    const [key, value] = parseSetOption(raw);
    config[key] = value;
  }
  const api = resolveApiAccess(options);
  const project = await api.resolveProject(options.project as string);
  const form = new FormData();
  form.set('projectId', project.id);
  form.set('method', options.method);
  if (options.name) form.set('name', options.name);
  if (Object.keys(config).length > 0) form.set('config', JSON.stringify(config));
  if (options.dataRoot) form.set('dataRoot', options.dataRoot);
  if (options.backend) form.set('backend', options.backend);
  form.set('file', new Blob([readFileSync(weightsFile)]), path.basename(weightsFile));
  try {
    return weightsImportResultSchema.parse(await api.json('POST', '/api/imports/weights', form));
  } catch (error) {
    if (error instanceof ApiError && error.status !== null) throw new Error(apiMessage(error));
    throw error;
  }
}

/**
 * `equilab import weights FILE --method M --out DIR`: a finished Equilab run folder holding the reference's
 * backbone (`final_weights.pth`, a `model.pth` checkpoint or safetensors in the reference's naming), so
 * `equilab eval --run-dir DIR` evaluates reference weights. The method's heads are freshly initialised.
 */
export function runImportWeights(
  file: string | undefined,
  options: ImportWeightsOptions,
): { outDir: string; tensors: number; prefix: string } {
  if (!file) throw new CliUsageError('FILE', 'required: reference weights (.pth or safetensors)');
  const weightsFile = path.resolve(file);
  if (!existsSync(weightsFile) || !statSync(weightsFile).isFile())
    throw new CliUsageError('FILE', `${weightsFile} does not exist`);
  if (!options.method)
    throw new CliUsageError(
      '--method',
      `required: the method the weights were trained with (${methodNames.join(', ')})`,
    );
  if (!options.out)
    throw new CliUsageError('--out', 'required: the run folder to create (or --project: a run in the API)');
  const outDir = path.resolve(options.out);
  if (existsSync(outDir) && readdirSync(outDir).length > 0)
    throw new CliUsageError('--out', `${outDir} is not empty`);
  const config: Record<string, unknown> = {};
  for (const raw of options.set) {
    const [key, value] = parseSetOption(raw);
    config[key] = value;
  }
  let run;
  try {
    run = writeReferenceRun({ weightsFile, method: options.method, config, outDir });
  } catch (error) {
    if (error instanceof MethodConfigError) {
      throw new CliUsageError(
        error.issues.some((i) => i.path[0] === 'method') ? '--method' : '--set',
        error.message,
      );
    }
    throw error;
  }
  return { outDir, tensors: run.loaded.backboneTensors, prefix: run.weights.prefix };
}

export function registerImportCommands(program: Command): void {
  const group = program.command('import').description('bring runs and weights of other tools into Equilab');
  addApiAccessOptions(
    group
      .command('tensorboard')
      .description(
        'import TensorBoard event files: one run per log directory (tags, steps and wall times kept)',
      )
      .argument('[dir]', 'TensorBoard log directory (a run folder, or a root holding one folder per run)')
      .option('--project <idOrName>', 'project the runs are created in')
      .option('--method <name>', 'method of every run (default: from the folder name, e.g. SIE_seed1 → SIE)'),
  ).action(async (dir: string | undefined, options: ImportTensorboardOptions) => {
    let exitCode = 0;
    try {
      const runs = await runImportTensorboard(dir, options, (line) => process.stdout.write(`${line}\n`));
      if (runs.some((r) => r.error !== null)) exitCode = 1;
    } catch (error) {
      process.stderr.write(
        `equilab import tensorboard: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      exitCode = error instanceof CliUsageError ? error.exitCode : 1;
    }
    process.exit(exitCode);
  });
  const weights = group
    .command('weights')
    .description(
      "a finished run folder from the reference's weights, for equilab eval --run-dir (backbone only)",
    )
    .argument(
      '[file]',
      'final_weights.pth, a model.pth checkpoint (module.backbone.*), or safetensors in the reference naming',
    )
    .option('--method <name>', 'method the weights were trained with (its config sets the parts, e.g. equi)')
    .option('--out <dir>', 'run folder to create (local; or --project)')
    .option(
      '--set <key=value>',
      'method config field, e.g. equi=256 (repeatable; width defaults to the file’s)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option(
      '--project <idOrName>',
      'instead of --out: upload to the API, which creates an imported run the evaluation routes evaluate',
    )
    .option('--name <name>', 'with --project: the run name (default: the file name)')
    .option('--data-root <dir>', "with --project: dataset root of the run's evaluations (default: the API's)")
    .option('--backend <name>', "with --project: backend of the run's evaluations (default wasm)");
  addApiAccessOptions(weights);
  weights.action(async (file: string | undefined, options: ImportWeightsOptions) => {
    let exitCode = 0;
    try {
      if (options.project !== undefined) {
        const result = await runImportWeightsToApi(file, options);
        const prefix = result.prefix ? ` (from ${result.prefix}*)` : '';
        process.stdout.write(
          `run ${result.runId} (${result.name}, ${result.method}, imported): ${result.tensors} backbone tensors${prefix}, width ${result.width}; ` +
            `evaluate with POST /api/runs/${result.runId}/evaluations/suite\n`,
        );
      } else {
        const { outDir, tensors, prefix } = runImportWeights(file, options);
        process.stdout.write(
          `${outDir}: ${tensors} backbone tensors${prefix ? ` (from ${prefix}*)` : ''}; evaluate with equilab eval --run-dir ${outDir}\n`,
        );
      }
    } catch (error) {
      process.stderr.write(
        `equilab import weights: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      exitCode = error instanceof CliUsageError ? error.exitCode : 1;
    }
    process.exit(exitCode);
  });
}
