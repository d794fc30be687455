import { z } from 'zod';
import { methodRunSchema } from './methods/method-run';
import { backendNameSchema, logEverySchema } from './training';
import { initWeightsSchema } from './api/interop.api';

/**
 * The typed job catalogue: every BullMQ queue, its payload schema and its retry policy. The API produces
 * these jobs and the runner consumes them; neither redeclares a payload.
 */
/**
 * What every job of a run carries: whose it is, where the data is, the backend, the seed. No credential: the
 * runner fetches the job's run token from the API with its runner token (`POST /api/runners/:id/credentials`).
 */
const runJobFields = {
  runId: z.string().uuid(),
  /** Dataset root folder as seen by the runner. */
  dataRoot: z.string().min(1),
  backend: backendNameSchema.default('wasm'),
  seed: z.number().int().min(0),
};

/** A pretraining job: the run's method and resolved config (parsed with that method's schema), and how often to log. */
export const pretrainJobSchema = z
  .object({
    ...runJobFields,
    projectId: z.string().uuid(),
    /** Metric logging frequency (jobs queued before this field existed get the defaults). */
    logEvery: logEverySchema.prefault({}),
    /** Weights a fresh attempt starts from (fetched from `GET /api/runs/:id/init-weights`); absent: the seeded init. */
    initWeights: initWeightsSchema.optional(),
  })
  .and(methodRunSchema);
export type PretrainJob = z.output<typeof pretrainJobSchema>;

export const evaluateJobSchema = z.object({
  ...runJobFields,
  evaluationId: z.string().uuid(),
  kind: z.string().min(1),
  config: z.record(z.string(), z.unknown()),
});
export type EvaluateJob = z.infer<typeof evaluateJobSchema>;

export interface JobDefinition<S extends z.ZodType> {
  readonly queue: string;
  readonly schema: S;
  readonly attempts: number;
  readonly backoff: { readonly type: 'exponential' | 'fixed'; readonly delay: number };
  /** Upper bound for one attempt, milliseconds. */
  readonly timeoutMs: number;
}

/** Retries of a run's job: a retry resumes from the run's last checkpoint. */
const RUN_JOB_RETRIES = { attempts: 5, backoff: { type: 'exponential', delay: 5_000 } } as const;

export const jobCatalogue = {
  pretrain: { queue: 'pretrain', schema: pretrainJobSchema, ...RUN_JOB_RETRIES, timeoutMs: 7 * 24 * 3600_000 },
  evaluate: { queue: 'evaluate', schema: evaluateJobSchema, ...RUN_JOB_RETRIES, timeoutMs: 2 * 24 * 3600_000 },
} as const satisfies Record<string, JobDefinition<z.ZodType>>;
export type JobName = keyof typeof jobCatalogue;

/** Redis pub/sub channel on which the API asks runners to cancel a run: message = JSON `{ runId }`. */
export const CANCEL_CHANNEL = 'equilab:cancel';
