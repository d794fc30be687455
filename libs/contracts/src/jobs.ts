import { z } from 'zod';
import { backendNameSchema } from './training';

/**
 * The typed job catalogue: every BullMQ queue, its payload schema and its retry policy. The API produces
 * these jobs and the runner consumes them; neither redeclares a payload.
 */
export const pretrainJobSchema = z.object({
  runId: z.string().uuid(),
  projectId: z.string().uuid(),
  method: z.string().min(1),
  /** The run's validated, fully resolved config (method schema defaults applied). */
  config: z.record(z.string(), z.unknown()),
  /** Dataset root folder as seen by the runner. */
  dataRoot: z.string().min(1),
  backend: backendNameSchema.default('wasm'),
  seed: z.number().int().min(0),
  /** Bearer token that may only write to this run. */
  runToken: z.string().min(1),
});
export type PretrainJob = z.infer<typeof pretrainJobSchema>;

export const evaluateJobSchema = z.object({
  runId: z.string().uuid(),
  evaluationId: z.string().uuid(),
  kind: z.string().min(1),
  config: z.record(z.string(), z.unknown()),
  dataRoot: z.string().min(1),
  backend: backendNameSchema.default('wasm'),
  seed: z.number().int().min(0),
  runToken: z.string().min(1),
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

export const jobCatalogue = {
  pretrain: {
    queue: 'pretrain',
    schema: pretrainJobSchema,
    attempts: 5,
    backoff: { type: 'exponential', delay: 5_000 },
    timeoutMs: 7 * 24 * 3600_000,
  },
  evaluate: {
    queue: 'evaluate',
    schema: evaluateJobSchema,
    attempts: 5,
    backoff: { type: 'exponential', delay: 5_000 },
    timeoutMs: 2 * 24 * 3600_000,
  },
} as const satisfies Record<string, JobDefinition<z.ZodType>>;
export type JobName = keyof typeof jobCatalogue;

/** Redis pub/sub channel on which the API asks runners to cancel a run: message = JSON `{ runId }`. */
export const CANCEL_CHANNEL = 'equilab:cancel';
