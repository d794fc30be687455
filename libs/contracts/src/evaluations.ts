import { z } from 'zod';
import { int4, MAX_ERROR_LENGTH, MAX_LABEL_LENGTH, text } from './api/bounds';
import { methodCatalogue } from './methods/method-catalogue';
import { isMethodName } from './methods/method-names';

/**
 * Offline evaluations (spec §7): frozen-backbone probes (classification, rotation, colour) and the retrieval
 * metrics of the equivariant predictor (PRE, MRR, H@k). Shared by libs/sie (runs them), the runner (`evaluate`
 * jobs, `equilab eval`), the API (requests, results, the evaluation table) and the dashboard.
 */
export const evaluationKinds = ['classification', 'rotation', 'color', 'retrieval'] as const;
export const evaluationKindSchema = z.enum(evaluationKinds);
export type EvaluationKind = z.infer<typeof evaluationKindSchema>;

/** Part of the representation fed to a probe: all of h, the first D − e dims (inv) or the last e dims (equi). */
export const evaluationParts = ['full', 'inv', 'equi'] as const;
export const evaluationPartSchema = z.enum(evaluationParts);
export type EvaluationPart = z.infer<typeof evaluationPartSchema>;

/**
 * The parts a method's evaluations cover by default: the three of a split representation (SIE and its variants:
 * an invariant part on the first D − equi dims, an equivariant one on the last equi), else only `full`.
 */
export function evaluationPartsFor(method: string): readonly EvaluationPart[] {
  return isMethodName(method) && methodCatalogue[method].heads === 'split' ? evaluationParts : ['full'];
}

/**
 * Frozen backbone batch norm: `faithful` (reference: train mode while the head trains — batch statistics, running
 * statistics drift — eval mode for validation) or `frozen` (eval mode throughout).
 */
export const bnModeSchema = z.enum(['faithful', 'frozen']);
export type BnMode = z.infer<typeof bnModeSchema>;

export const probeHeadSchema = z.enum(['linear', 'mlp']);
export type ProbeHead = z.infer<typeof probeHeadSchema>;

/** Probe (classification / rotation / colour) options. Reference: epochs 50, lr 1e-3, wd 0, batch 256. */
export const probeConfigSchema = z
  .object({
    epochs: z.number().int().min(1).max(10_000).default(50),
    lr: z.number().positive().max(1).default(1e-3),
    wd: z.number().min(0).max(1).default(0),
    /** CPU default 64 (the reference's 256 is a GPU batch); any size ≥ 2 works. */
    batch_size: z.number().int().min(2).max(4096).default(64),
    /** Default: `linear` for classification, `mlp` ("deep end") for rotation and colour. */
    head: probeHeadSchema.optional(),
    /** Hidden width of the `mlp` head; default 1024 at backbone width 512, scaled as 2·D for narrower backbones. */
    hidden: z.number().int().min(1).max(8192).optional(),
    part: evaluationPartSchema.default('full'),
    /** Width e of the equivariant part; default the run's `equi` config (required for inv/equi otherwise). */
    equi_dims: z.number().int().min(1).optional(),
    bn_mode: bnModeSchema.default('faithful'),
    /** Image side; default the run's pretraining resolution. */
    resolution: z.number().int().min(32).max(1024).multipleOf(32).optional(),
    /** Log training metrics every N steps (reference 10). */
    log_every: z.number().int().min(1).default(10),
  })
  .strict();
export type ProbeConfig = z.output<typeof probeConfigSchema>;

/** Retrieval (PRE, MRR, H@k) options. */
export const retrievalConfigSchema = z
  .object({
    /** L2-normalise predictions and bank (reference default; `--no-norm` = false). */
    normalize: z.boolean().default(true),
    /** Splits scored: `val` gives val→val MRR/H@k/PRE and val→all PRE; `train` adds train→train. */
    splits: z.array(z.enum(['train', 'val'])).min(1).default(['val']),
    batch_size: z.number().int().min(1).max(4096).default(64),
    resolution: z.number().int().min(32).max(1024).multipleOf(32).optional(),
  })
  .strict();
export type RetrievalConfig = z.output<typeof retrievalConfigSchema>;

export const evaluationConfigSchemas = {
  classification: probeConfigSchema,
  rotation: probeConfigSchema,
  color: probeConfigSchema,
  retrieval: retrievalConfigSchema,
} as const;

/** Metric keys each kind streams (as the reference logs them) and stores as its result. */
export const evaluationResultKeys: Record<EvaluationKind, readonly string[]> = {
  classification: ['val top-1', 'val top-5'],
  rotation: ['val_R2', 'val_MSE'],
  color: ['val_R2', 'val_MSE'],
  retrieval: ['MRR', 'H@1', 'H@2', 'H@5', 'H@10', 'PRE', 'PRE val-all'],
};

export class EvaluationConfigError extends Error {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'EvaluationConfigError';
  }
}

/** Validate a kind and its config (defaults applied); errors name the field. */
export function parseEvaluationConfig(kind: string, config: unknown): { kind: EvaluationKind; config: ProbeConfig | RetrievalConfig } {
  const parsedKind = evaluationKindSchema.safeParse(kind);
  if (!parsedKind.success) throw new EvaluationConfigError('kind', `unknown evaluation kind '${kind}'; expected one of ${evaluationKinds.join(', ')}`);
  const result = evaluationConfigSchemas[parsedKind.data].safeParse(config ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = ['config', ...issue.path.map(String)].join('.');
    throw new EvaluationConfigError(issue.code === 'unrecognized_keys' ? `config.${issue.keys.join(',')}` : field, issue.message);
  }
  return { kind: parsedKind.data, config: result.data };
}

export const evaluationStatusSchema = z.enum(['queued', 'running', 'succeeded', 'failed', 'not_applicable']);
export type EvaluationStatus = z.infer<typeof evaluationStatusSchema>;

/** What one evaluation produces (written as `result.json`, sent by the runner to the API). */
export const evaluationOutcomeSchema = z.strictObject({
  kind: evaluationKindSchema,
  part: evaluationPartSchema,
  /** Which pretraining checkpoint was evaluated (`final` or `epoch-N`; 1 … 200 characters, no NUL). */
  checkpoint: text(MAX_LABEL_LENGTH),
  status: z.enum(['succeeded', 'not_applicable']),
  /** Metric name (1 … 200 characters) → value (fractions; R² as spec §5). Empty when not applicable. */
  metrics: z.record(text(MAX_LABEL_LENGTH), z.number()),
  /** Why the evaluation does not apply (e.g. a method without an equivariant predictor); at most 20,000 characters. */
  reason: text(MAX_ERROR_LENGTH, 0).nullable().default(null),
  epochs: int4().nullable().default(null),
});
export type EvaluationOutcome = z.infer<typeof evaluationOutcomeSchema>;

/** `POST /api/runs/:id/evaluations` body. */
export const createEvaluationSchema = z.strictObject({
  kind: evaluationKindSchema,
  config: z.record(z.string(), z.unknown()).default({}),
});
export type CreateEvaluation = z.input<typeof createEvaluationSchema>;

/**
 * `POST /api/runs/:id/evaluations/suite`: several kinds at once, each probe kind on each of `parts` (default: the
 * method's, `evaluationPartsFor`), retrieval once (it scores the equivariant predictor). `config` is shared: each
 * kind takes the options its schema knows; `part` comes from `parts`, not from `config`.
 */
export const requestEvaluationSuiteSchema = z
  .object({
    kinds: z
      .array(evaluationKindSchema)
      .min(1)
      .max(evaluationKinds.length)
      .refine((kinds) => new Set(kinds).size === kinds.length, 'each kind may appear once'),
    parts: z
      .array(evaluationPartSchema)
      .min(1)
      .max(evaluationParts.length)
      .refine((parts) => new Set(parts).size === parts.length, 'each part may appear once')
      .optional(),
    config: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();
export type RequestEvaluationSuite = z.input<typeof requestEvaluationSuiteSchema>;

export const evaluationSchema = z.object({
  id: z.string().uuid(),
  runId: z.string().uuid(),
  kind: evaluationKindSchema,
  config: z.record(z.string(), z.unknown()),
  status: evaluationStatusSchema,
  error: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  results: z.array(evaluationOutcomeSchema.extend({ updatedAt: z.string() })),
});
export type Evaluation = z.infer<typeof evaluationSchema>;

/** `GET /api/runs/:id/evaluations` */
export const evaluationListSchema = z.object({ items: z.array(evaluationSchema) });

/** `POST /api/runner/evaluations/:id/result` body (runner → API, run token). */
export const evaluationReportSchema = z.discriminatedUnion('status', [
  z.strictObject({ status: z.literal('running') }),
  /** `error`: at most 20,000 characters, no NUL. */
  z.strictObject({ status: z.literal('failed'), error: text(MAX_ERROR_LENGTH, 0) }),
  z.strictObject({ status: z.literal('done'), outcome: evaluationOutcomeSchema }),
]);
export type EvaluationReport = z.infer<typeof evaluationReportSchema>;

const idsParam = z.preprocess(
  (v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : v),
  z.array(z.string().uuid()).min(1).max(500),
);

/** A table of one part, or `all`: the probe columns of the three parts side by side, retrieval once. */
export const evaluationTablePartSchema = z.enum([...evaluationParts, 'all']);
export type EvaluationTablePart = z.infer<typeof evaluationTablePartSchema>;

/** `GET /api/evaluations/table?runIds=a,b | sweepId | projectId &baselineRunId &part &format=json|csv` */
export const evaluationTableQuerySchema = z
  .object({
    runIds: idsParam.optional(),
    sweepId: z.string().uuid().optional(),
    projectId: z.string().uuid().optional(),
    baselineRunId: z.string().uuid().optional(),
    part: evaluationTablePartSchema.default('full'),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .refine((q) => [q.runIds, q.sweepId, q.projectId].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of runIds, sweepId, projectId',
    path: ['runIds'],
  });
export type EvaluationTableQuery = z.input<typeof evaluationTableQuerySchema>;

/** The paper's columns: key, label, the kind and result metric they come from, and which way is better. */
export const evaluationTableColumns = [
  { key: 'top1', label: 'Classification top-1', kind: 'classification', metric: 'val top-1', better: 'higher' },
  { key: 'rotR2', label: 'Rotation R²', kind: 'rotation', metric: 'val_R2', better: 'higher' },
  { key: 'colorR2', label: 'Colour R²', kind: 'color', metric: 'val_R2', better: 'higher' },
  { key: 'MRR', label: 'MRR', kind: 'retrieval', metric: 'MRR', better: 'higher' },
  { key: 'H@1', label: 'H@1', kind: 'retrieval', metric: 'H@1', better: 'higher' },
  { key: 'H@5', label: 'H@5', kind: 'retrieval', metric: 'H@5', better: 'higher' },
  { key: 'PRE', label: 'PRE', kind: 'retrieval', metric: 'PRE', better: 'lower' },
] as const satisfies ReadonlyArray<{ key: string; label: string; kind: EvaluationKind; metric: string; better: 'higher' | 'lower' }>;
export type EvaluationColumnKey = (typeof evaluationTableColumns)[number]['key'];

/** A cell: mean (and std over seeds, n values), delta vs the baseline, or "not applicable". */
export const evaluationCellSchema = z.object({
  mean: z.number().nullable(),
  std: z.number().nullable(),
  n: z.number().int().min(0),
  delta: z.number().nullable(),
  notApplicable: z.boolean(),
});
export type EvaluationCell = z.infer<typeof evaluationCellSchema>;

export const evaluationTableRowSchema = z.object({
  /** Grouping key: the method plus the config that differs (seed excluded). */
  group: z.string(),
  method: z.string(),
  runIds: z.array(z.string().uuid()),
  seeds: z.array(z.number().int()),
  label: z.string(),
  cells: z.record(z.string(), evaluationCellSchema),
});
export type EvaluationTableRow = z.infer<typeof evaluationTableRowSchema>;

/**
 * A column of the table: one headline metric of one part. With `part=all` the probe columns come once per part,
 * keyed `<key>.<part>` (`top1.inv`); the retrieval columns (the equivariant predictor's) keep their key.
 */
export const evaluationTableColumnSchema = z.object({
  key: z.string(),
  label: z.string(),
  better: z.enum(['higher', 'lower']),
  /** The part of the representation the column's values come from (retrieval: `equi`, the predictor's). */
  part: evaluationPartSchema,
});
export type EvaluationTableColumn = z.infer<typeof evaluationTableColumnSchema>;

export const evaluationTableSchema = z.object({
  part: evaluationTablePartSchema,
  columns: z.array(evaluationTableColumnSchema),
  rows: z.array(evaluationTableRowSchema),
  /** Column key → index of the best row (by mean; PRE lower is better). */
  best: z.record(z.string(), z.number().int().nullable()),
  baselineRunId: z.string().uuid().nullable(),
});
export type EvaluationTable = z.infer<typeof evaluationTableSchema>;
