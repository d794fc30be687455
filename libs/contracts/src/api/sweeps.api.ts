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

export const sweepStrategySchema = z.enum(['grid', 'random', 'asha']);
export type SweepStrategy = z.infer<typeof sweepStrategySchema>;
export const sweepStatusSchema = z.enum(['running', 'completed', 'canceled']);
export type SweepStatus = z.infer<typeof sweepStatusSchema>;

/** Hard cap on the number of runs one sweep may expand to (configurations × replicates). */
export const MAX_SWEEP_RUNS = 1000;
/** Most replicates (seeds) per configuration. */
export const MAX_REPLICATES = 32;
/** Longest metric key an ASHA sweep may rank by (as a logged metric key). */
export const MAX_SWEEP_METRIC_LENGTH = 200;
/** Largest epoch budget of an ASHA rung. */
export const MAX_ASHA_EPOCHS = 10_000;

/**
 * `strategy: "asha"` (adaptive asynchronous successive halving, Li et al., MLSys 2020, with Determined-style
 * brackets): `maxRuns` configurations drawn as `random` draws them; each trains to its bracket's first rung,
 * and at rung k (`minEpochs·eta^k` epochs, the last one `maxEpochs`) the top 1/eta of the runs that reached it
 * by `metric` (`mode` min or max) are promoted to the next; the others pause, and end `stopped` if never promoted.
 */
export const ashaOptionsSchema = z
  .object({
    /** Epochs of the first rung (1..MAX_ASHA_EPOCHS). */
    minEpochs: z.number().int().min(1).max(MAX_ASHA_EPOCHS),
    /** Epochs of the last rung: the full training budget (minEpochs..MAX_ASHA_EPOCHS); written as every run's `epochs`. */
    maxEpochs: z.number().int().min(1).max(MAX_ASHA_EPOCHS),
    /** Reduction factor η: 1/η of a rung is promoted, rungs are η times longer (2..16, default 4). */
    eta: z.number().int().min(2).max(16).default(4),
    /** Configurations tried at most (1..MAX_SWEEP_RUNS). */
    maxRuns: z.number().int().min(1).max(MAX_SWEEP_RUNS),
    /** Brackets (early-stopping rates 0..brackets−1 at once; 1..rungs, default 1 — checked against the rung count). */
    brackets: z.number().int().min(1).max(16).default(1),
    /** The logged metric key that ranks runs, e.g. `Loss/Total` or an online R² key (1..200 chars). */
    metric: z.string().trim().min(1).max(MAX_SWEEP_METRIC_LENGTH),
    mode: z.enum(['min', 'max']),
  })
  .refine((o) => o.maxEpochs >= o.minEpochs, { path: ['maxEpochs'], message: 'must be ≥ minEpochs' });
export type AshaOptions = z.infer<typeof ashaOptionsSchema>;

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
  /**
   * Seeds the searcher's draws (random, asha). A run's training seed is its config's `seed` (the base config's,
   * the same for every configuration unless the search space varies it; this seed when the config has none),
   * plus its replicate number.
   */
  seed: int4().default(0),
  /** Number of configurations for the random strategy (ignored by grid; asha uses `asha.maxRuns`). */
  count: z.number().int().min(1).max(MAX_SWEEP_RUNS).optional(),
  /** Runs per configuration, with seeds seed … seed+replicates−1 (1..MAX_REPLICATES, default 1); they form a replicate group. */
  replicates: z.number().int().min(1).max(MAX_REPLICATES).default(1),
  /** Options of `strategy: "asha"` (required by it, refused by the others). */
  asha: ashaOptionsSchema.optional(),
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
  /** The configuration's index (replicates of one configuration share it) and the replicate number. */
  configIndex: z.number().int(),
  replicate: z.number().int(),
  /** ASHA: the run's bracket. */
  bracket: z.number().int().optional(),
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
  replicates: z.number().int(),
  asha: ashaOptionsSchema.nullable(),
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

/** One rung of an ASHA bracket: the runs that reached it, their metric, which were promoted. */
export const sweepRungSchema = z.object({
  bracket: z.number().int(),
  rung: z.number().int(),
  epochs: z.number().int(),
  results: z.array(z.object({ runId: z.string().uuid(), value: z.number().nullable(), promoted: z.boolean() })),
});
export type SweepRung = z.infer<typeof sweepRungSchema>;

/** Compute a sweep spent: run-epochs trained, against training every configuration tried to `maxEpochs` (a full grid of them). */
export const sweepComputeSchema = z.object({ spentEpochs: z.number(), gridEpochs: z.number() });
export type SweepCompute = z.infer<typeof sweepComputeSchema>;

export const sweepDetailSchema = sweepSchema.extend({
  runs: z.array(runSchema),
  /** ASHA sweeps: every bracket's rungs (empty for grid and random). */
  rungs: z.array(sweepRungSchema),
  compute: sweepComputeSchema,
});
export type SweepDetail = z.infer<typeof sweepDetailSchema>;

/** `GET /api/sweeps?projectId&tags=a,b` (tags: sweeps carrying every one). */
export const listSweepsQuerySchema = z.object({ projectId: z.string().uuid().optional(), tags: tagFilterSchema.optional() });
export const sweepListSchema = z.object({ items: z.array(sweepSchema) });
export type SweepList = z.infer<typeof sweepListSchema>;
