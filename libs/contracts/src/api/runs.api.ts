import { z } from 'zod';
import { evaluationKindSchema, evaluationPartSchema } from '../evaluations';
import { backendNameSchema, logEverySchema } from '../training';
import { tagFilterSchema } from './annotations.api';
import { initWeightsRequestSchema, initWeightsSchema } from './interop.api';
import { int4, MAX_LABEL_LENGTH, MAX_PATH_LENGTH, nameText, NUL_FREE, NUL_MESSAGE, text } from './bounds';
import { isoDate, pageQuerySchema } from './common.api';

/** Run lifecycle. Legal transitions are in `runTransitions`. */
/** `imported`: not trained by Equilab (metrics imported from TensorBoard event files); never queued, no transitions. */
/**
 * `paused`: an ASHA run at a rung boundary (checkpoint stored, runner freed) waiting for its sweep's decision;
 * `stopped`: an ASHA run its sweep never promoted (terminal, neither a failure nor a cancel).
 */
export const runStatusSchema = z.enum(['queued', 'running', 'succeeded', 'failed', 'canceled', 'preempted', 'imported', 'paused', 'stopped']);
export type RunStatus = z.infer<typeof runStatusSchema>;

/**
 * The run state machine: queued → running → succeeded | failed | canceled; running → preempted → queued;
 * queued → canceled. `running → running` is a restart of a stalled attempt (runner crash, BullMQ retry).
 * Retry (`POST /api/runs/:id/retry`) moves failed | canceled → queued with a new attempt.
 * ASHA sweeps: running → paused at a rung; paused → queued when promoted (resumes from the rung's checkpoint on
 * any runner), → stopped when never promoted, → canceled with its sweep.
 */
export const runTransitions: Record<RunStatus, readonly RunStatus[]> = {
  queued: ['running', 'canceled'],
  running: ['running', 'succeeded', 'failed', 'canceled', 'preempted', 'paused'],
  preempted: ['queued', 'canceled'],
  paused: ['queued', 'stopped', 'canceled'],
  succeeded: [],
  failed: ['queued'],
  canceled: ['queued'],
  stopped: [],
  imported: [],
};
export const terminalRunStatuses: readonly RunStatus[] = ['succeeded', 'failed', 'canceled', 'imported', 'stopped'];

export function canTransition(from: RunStatus, to: RunStatus): boolean {
  return runTransitions[from].includes(to);
}

/**
 * Evaluation suite to run after pretraining (kinds: `evaluationKindSchema`). Each probe kind runs on every one of
 * `parts` (default: the method's, `evaluationPartsFor` — full, inv and equi for a split method); retrieval once.
 */
export const evaluationSuiteRequestSchema = z.strictObject({
  kinds: z.array(evaluationKindSchema).default([]),
  config: z.record(z.string(), z.unknown()).default({}),
  parts: z.array(evaluationPartSchema).min(1).max(3).optional(),
});
export type EvaluationSuiteRequest = z.infer<typeof evaluationSuiteRequestSchema>;

/** `POST /api/runs`: config holds overrides of the method's defaults; it is validated against the method schema. */
export const createRunSchema = z.strictObject({
  projectId: z.string().uuid(),
  /** 1 … 200 characters after trimming, no NUL. */
  name: nameText().optional(),
  method: text(MAX_LABEL_LENGTH),
  config: z.record(z.string(), z.unknown()).default({}),
  /** 0 … 2^31 − 1. */
  seed: int4().optional(),
  backend: backendNameSchema.default('wasm'),
  /** Dataset root for the runner (1 … 512 characters, no NUL); defaults to the API's configured data root. */
  dataRoot: text(MAX_PATH_LENGTH).optional(),
  evaluations: evaluationSuiteRequestSchema.optional(),
  /** How often the trainer reports metrics (steps 0..1e6, seconds 0..86400; default every 10 steps / 30 s). */
  logEvery: logEverySchema.prefault({}),
  /** Start from these weights instead of the seeded init (interop.api.ts `initWeightsRequestSchema`). */
  initWeights: initWeightsRequestSchema.optional(),
});
export type CreateRun = z.input<typeof createRunSchema>;

export const latestMetricSchema = z.object({ step: z.number().int(), value: z.number(), time: z.number() });

export const runSchema = z.object({
  id: z.string().uuid(),
  projectId: z.string().uuid(),
  name: z.string(),
  method: z.string(),
  config: z.record(z.string(), z.unknown()),
  status: runStatusSchema,
  attempt: z.number().int(),
  seed: z.number().int(),
  requestedBackend: z.string(),
  sweepId: z.string().uuid().nullable(),
  sweepParams: z.record(z.string(), z.unknown()).nullable(),
  /**
   * Replicate group: runs with the same method and the same config apart from `seed` share it (16 hex digits of
   * the SHA-256 of the canonical JSON of method and config without seed), whichever sweep made them. The Runs
   * table and Compare group replicates by it.
   */
  groupKey: z.string().regex(/^[0-9a-f]{16}$/),
  /** Within a sweep: the configuration's index (its replicates share it) and the replicate number (seed offset). */
  sweepConfig: z.number().int().nullable(),
  replicate: z.number().int().nullable(),
  /** Set by `PATCH /api/runs/:id` (annotations.api.ts). */
  tags: z.array(z.string()),
  notes: z.string(),
  evaluations: evaluationSuiteRequestSchema.nullable(),
  /** The weights the run started from (null or absent: the seeded init). */
  initWeights: initWeightsSchema.nullish(),
  runnerId: z.string().uuid().nullable(),
  backend: z.string().nullable(),
  threads: z.number().int().nullable(),
  device: z.string().nullable(),
  step: z.number().int().nullable(),
  totalSteps: z.number().int().nullable(),
  epoch: z.number().int().nullable(),
  totalEpochs: z.number().int().nullable(),
  imagesPerSecond: z.number().nullable(),
  etaSeconds: z.number().nullable(),
  error: z.string().nullable(),
  createdAt: isoDate,
  startedAt: isoDate.nullable(),
  finishedAt: isoDate.nullable(),
  heartbeatAt: isoDate.nullable(),
});
export type Run = z.infer<typeof runSchema>;

/** `GET /api/runs/:id` adds the latest value of every metric key. */
export const runDetailSchema = runSchema.extend({
  latestMetrics: z.record(z.string(), latestMetricSchema),
});
export type RunDetail = z.infer<typeof runDetailSchema>;

export const runSortSchema = z.enum(['createdAt', '-createdAt', 'name', '-name', 'status', '-status', 'finishedAt', '-finishedAt']);

const csv = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : v), z.array(item));

/** `GET /api/runs?projectId&sweepId&status=a,b&method&sort=-createdAt&limit&cursor` */
export const listRunsQuerySchema = pageQuerySchema.extend({
  projectId: z.string().uuid().optional(),
  sweepId: z.string().uuid().optional(),
  status: csv(runStatusSchema).optional(),
  method: z.string().min(1).max(MAX_LABEL_LENGTH).regex(NUL_FREE, NUL_MESSAGE).optional(),
  /** Runs carrying every one of these tags. */
  tags: tagFilterSchema.optional(),
  sort: runSortSchema.default('-createdAt'),
});
export type ListRunsQuery = z.input<typeof listRunsQuerySchema>;

export const runListSchema = z.object({ items: z.array(runSchema), nextCursor: z.string().nullable() });
export type RunList = z.infer<typeof runListSchema>;

/** `GET /api/artifacts?runId` item. */
export const artifactRecordSchema = z.object({
  id: z.string().uuid(),
  runId: z.string().uuid(),
  kind: z.string(),
  path: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  step: z.number().int().nullable(),
  createdAt: isoDate,
});
export type ArtifactRecord = z.infer<typeof artifactRecordSchema>;

/** `GET /api/runs/:id/artifacts` */
export const artifactListSchema = z.object({ items: z.array(artifactRecordSchema) });
export type ArtifactList = z.infer<typeof artifactListSchema>;

/** Longest search text of the Runs table and its export. */
export const MAX_RUN_SEARCH_LENGTH = 200;

/**
 * `GET /api/runs/export?projectId&sweepId&status&method&tags&q&sort&format=csv`: the Runs table as a file, one row per
 * run with its fields, tags, notes, every config value (`config.<dotted path>` columns) and the last value of every
 * metric (`metric:<key>` columns). `q` searches as the table does: name, id prefix, method, tags, notes and sweep
 * parameter values (`key=value`), case-insensitive.
 */
export const runsExportQuerySchema = listRunsQuerySchema.omit({ limit: true, cursor: true }).extend({
  projectId: z.string().uuid(),
  q: z.string().trim().max(MAX_RUN_SEARCH_LENGTH).optional(),
  format: z.enum(['csv']).default('csv'),
});
export type RunsExportQuery = z.input<typeof runsExportQuerySchema>;
/** The first columns of a Runs export, before the `config.*` and `metric:*` ones. */
export const RUNS_EXPORT_COLUMNS = ['id', 'name', 'status', 'method', 'seed', 'sweep_id', 'tags', 'notes', 'step', 'total_steps', 'created_at', 'started_at', 'finished_at'] as const;
