import { existsSync, writeFileSync, mkdirSync, renameSync } from 'node:fs';
import * as path from 'node:path';
import {
  evaluationOutcomeSchema,
  parseEvaluationConfig,
  type BackendName,
  type EvaluationOutcome,
  type ProbeConfig,
  type RetrievalConfig,
} from '@equilab/contracts';
import { selectBackend } from '../backend/select-backend';
import { loadPretrainedRun } from './pretrained.loader';
import { PROBE_CHECKPOINT_FILE, runProbeEvaluation, type EvaluationCallbacks } from './probe.evaluation';
import { runRetrievalEvaluation } from './retrieval.evaluation';

export const EVALUATION_RESULT_FILE = 'result.json';

/**
 * `evaluate(options)`: the entry the runner's evaluate child and `equilab eval` call (`Trainer` in ../trainer.ts).
 * `metricPrefix` defaults to `eval/<kind>/<part>/` when `evaluationId` is set (run series), else ''.
 */
export interface EvaluateOptions extends EvaluationCallbacks {
  readonly kind: string;
  readonly config: Record<string, unknown>;
  readonly dataRoot: string;
  /** The pretraining run's folder (holds its `checkpoint.safetensors`). */
  readonly outDir: string;
  /** Where the evaluation writes its checkpoint and result; default `<outDir>/evaluations/<evaluationId | kind-part>`. */
  readonly evalDir?: string;
  readonly evaluationId?: string;
  readonly runId?: string;
  readonly backend: BackendName;
  readonly seed: number;
  readonly workers: number;
  readonly threads?: number;
  /** Resume the probe from its checkpoint in evalDir (default true). */
  readonly resume?: boolean;
}

export interface EvaluateResult {
  readonly status: 'completed' | 'canceled';
  readonly outcome: EvaluationOutcome | null;
  /** Files to keep, relative to outDir: the probe checkpoint (also when canceled) and result.json (completed). */
  readonly files: string[];
  readonly evalDir: string;
}

function writeJsonAtomic(file: string, value: unknown): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, file);
}

/**
 * Run one offline evaluation of a pretraining run (spec §7) and write `<evalDir>/result.json`
 * (`EvaluationOutcome`). Kinds: classification, rotation, color (probes), retrieval (PRE, MRR, H@k — "not
 * applicable" for methods without an equivariant predictor).
 */
export async function evaluate(options: EvaluateOptions): Promise<EvaluateResult> {
  const { kind, config } = parseEvaluationConfig(options.kind, options.config);
  if (!Number.isInteger(options.seed) || options.seed < 0) throw new Error(`seed: must be a non-negative integer, got ${String(options.seed)}`);
  if (!Number.isInteger(options.workers) || options.workers < 0) throw new Error(`workers: must be a non-negative integer, got ${String(options.workers)}`);
  const part = kind === 'retrieval' ? 'equi' : (config as ProbeConfig).part;
  const evalDir = options.evalDir ?? path.join(options.outDir, 'evaluations', options.evaluationId ?? `${kind}-${part}`);
  const prefix = options.metricPrefix ?? (options.evaluationId ? `eval/${kind}/${part}/` : '');
  mkdirSync(evalDir, { recursive: true });
  const run = loadPretrainedRun(options.outDir);
  try {
    await selectBackend(options.backend, options.threads !== undefined ? { threads: options.threads } : {});
    let outcome: EvaluationOutcome;
    let status: 'completed' | 'canceled' = 'completed';
    if (kind === 'retrieval') {
      const result = await runRetrievalEvaluation({
        run,
        config: config as RetrievalConfig,
        dataRoot: options.dataRoot,
        cacheDirs: [options.dataRoot, evalDir],
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if (result.applicable && result.canceled) status = 'canceled';
      outcome = evaluationOutcomeSchema.parse({
        kind,
        part,
        checkpoint: run.checkpoint,
        status: result.applicable ? 'succeeded' : 'not_applicable',
        metrics: result.applicable ? result.metrics : {},
        reason: result.applicable ? null : result.reason,
        epochs: null,
      });
      if (result.applicable && !result.canceled) {
        const now = Date.now();
        options.onMetrics?.(Object.entries(result.metrics).map(([key, value]) => ({ key: `${prefix}Metrics/${key}`, step: 0, value, time: now })));
      }
    } else {
      const result = await runProbeEvaluation({
        run,
        kind,
        config: config as ProbeConfig,
        dataRoot: options.dataRoot,
        evalDir,
        seed: options.seed,
        workers: options.workers,
        resume: options.resume ?? true,
        metricPrefix: prefix,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onMetrics ? { onMetrics: options.onMetrics } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
      status = result.status;
      outcome = evaluationOutcomeSchema.parse({
        kind,
        part,
        checkpoint: run.checkpoint,
        status: 'succeeded',
        metrics: result.metrics,
        reason: null,
        epochs: result.epochsDone,
      });
    }
    const files: string[] = [];
    const relative = (file: string): string => path.relative(options.outDir, path.join(evalDir, file)).split(path.sep).join('/');
    // The probe checkpoint goes back even when stopped: a preempted evaluation resumes from it elsewhere.
    if (existsSync(path.join(evalDir, PROBE_CHECKPOINT_FILE))) files.push(relative(PROBE_CHECKPOINT_FILE));
    if (status === 'completed') {
      writeJsonAtomic(path.join(evalDir, EVALUATION_RESULT_FILE), outcome);
      files.push(relative(EVALUATION_RESULT_FILE));
    }
    return { status, outcome: status === 'completed' ? outcome : null, files, evalDir };
  } finally {
    run.dispose();
  }
}
