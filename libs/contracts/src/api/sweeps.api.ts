import { z } from 'zod';
import { backendNameSchema, logEverySchema } from '../training';
import { tagFilterSchema } from './annotations.api';
import { int4, MAX_LABEL_LENGTH, MAX_PATH_LENGTH, nameText, text } from './bounds';
import { isoDate } from './common.api';
import { evaluationSuiteRequestSchema, runSchema } from './runs.api';

/**
 * One dimension of a sweep's search space, keyed by a dotted config path (`base_lr`, `equi`). The key `method`
 * (a `choice` of method names) varies the method itself, so one sweep can compare SIE with VICReg.
 * Grid sweeps accept only `choice`; random sweeps accept all four.
 */
export const searchParamSchema = z.discriminatedUnion('distribution', [
  z.strictObject({ distribution: z.literal('choice'), values: z.array(z.unknown()).min(1) }),
  z.strictObject({ distribution: z.literal('uniform'), min: z.number(), max: z.number() }),
  z.strictObject({ distribution: z.literal('log-uniform'), min: z.number().positive('log-uniform needs min > 0'), max: z.number().positive('log-uniform needs max > 0') }),
  z.strictObject({ distribution: z.literal('int-uniform'), min: z.number().int('int-uniform needs integer bounds'), max: z.number().int('int-uniform needs integer bounds') }),
]);
export type SearchParam = z.infer<typeof searchParamSchema>;

/** Keys: dotted config paths of at most 200 characters. */
export const searchSpaceSchema = z.record(z.string().max(MAX_LABEL_LENGTH).regex(/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/, 'must be a dotted config path'), searchParamSchema);
export type SearchSpace = z.infer<typeof searchSpaceSchema>;

export const sweepStrategySchema = z.enum(['grid', 'random']);
export type SweepStrategy = z.infer<typeof sweepStrategySchema>;
export const sweepStatusSchema = z.enum(['running', 'completed', 'canceled']);
export type SweepStatus = z.infer<typeof sweepStatusSchema>;

/** Hard cap on the number of runs one sweep may expand to. */
export const MAX_SWEEP_RUNS = 1000;

/** `POST /api/sweeps` (`dryRun: true` returns the expanded runs without creating anything). */
export const createSweepSchema = z.strictObject({
  projectId: z.string().uuid(),
  /** 1 … 200 characters after trimming, no NUL. */
  name: nameText(),
  method: text(MAX_LABEL_LENGTH),
  baseConfig: z.record(z.string(), z.unknown()).default({}),
  /**
   * Per-method overrides applied on top of `baseConfig` when the search space varies `method`, e.g.
   * `{ SIE: { equi: 64 } }` (options another method does not have stay out of its config).
   */
  methodConfig: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
  searchSpace: searchSpaceSchema,
  strategy: sweepStrategySchema.default('grid'),
  /** Seeds the random strategy and, offset per run, each run's training seed. */
  seed: int4().default(0),
  /** Number of runs for the random strategy (ignored by grid). */
  count: z.number().int().min(1).max(MAX_SWEEP_RUNS).optional(),
  maxConcurrency: z.number().int().min(1).max(1000).default(4),
  /** Higher runs first; mapped onto BullMQ priority. */
  priority: z.number().int().min(0).max(1000).default(0),
  backend: backendNameSchema.default('wasm'),
  /** As `createRunSchema.dataRoot`. */
  dataRoot: text(MAX_PATH_LENGTH).optional(),
  /** Offline evaluations queued for every run of the sweep once its pretraining succeeds. */
  evaluations: evaluationSuiteRequestSchema.optional(),
  /** Metric logging frequency of every run of the sweep (as `createRunSchema.logEvery`). */
  logEvery: logEverySchema.prefault({}),
  dryRun: z.boolean().default(false),
});
export type CreateSweep = z.input<typeof createSweepSchema>;

export const expandedRunSchema = z.object({
  index: z.number().int(),
  /** The run's method: the sweep's, unless the search space varies `method` (e.g. SIE vs VICReg). */
  method: z.string(),
  /** The values that vary, keyed by config path. */
  params: z.record(z.string(), z.unknown()),
  /** Fully resolved, validated config of this run. */
  config: z.record(z.string(), z.unknown()),
  seed: z.number().int(),
});
export type ExpandedRun = z.infer<typeof expandedRunSchema>;

export const sweepDryRunSchema = z.object({ dryRun: z.literal(true), runs: z.array(expandedRunSchema) });
export type SweepDryRun = z.infer<typeof sweepDryRunSchema>;

export const sweepSchema = z.object({
  id: z.string().uuid(),
  projectId: z.string().uuid(),
  name: z.string(),
  method: z.string(),
  baseConfig: z.record(z.string(), z.unknown()),
  searchSpace: searchSpaceSchema,
  strategy: sweepStrategySchema,
  seed: z.number().int(),
  count: z.number().int(),
  maxConcurrency: z.number().int(),
  priority: z.number().int(),
  status: sweepStatusSchema,
  /** Set by `PATCH /api/sweeps/:id` (annotations.api.ts). */
  tags: z.array(z.string()),
  notes: z.string(),
  createdAt: isoDate,
  runCounts: z.record(z.string(), z.number().int()),
});
export type Sweep = z.infer<typeof sweepSchema>;

export const sweepDetailSchema = sweepSchema.extend({ runs: z.array(runSchema) });
export type SweepDetail = z.infer<typeof sweepDetailSchema>;

/** `GET /api/sweeps?projectId&tags=a,b` (tags: sweeps carrying every one). */
export const listSweepsQuerySchema = z.object({ projectId: z.string().uuid().optional(), tags: tagFilterSchema.optional() });
export const sweepListSchema = z.object({ items: z.array(sweepSchema) });
export type SweepList = z.infer<typeof sweepListSchema>;
