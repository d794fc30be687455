import { z } from 'zod';
import { evaluateJobSchema, pretrainJobSchema } from './jobs';
import { backendNameSchema, deviceInfoSchema, metricPointSchema, progressSchema } from './training';

/**
 * IPC between a runner and the training child it forks for one job (`child_process.fork`, `serialization:
 * 'advanced'` is not needed: every message is plain JSON).
 *
 * Sequence: parent `start` → child `device` (backend initialised) → parent `proceed` (the API accepted
 * `POST /runs/:id/start`) → child `metrics` / `progress` / `checkpoint` (parent answers each checkpoint with
 * `checkpoint-stored` once it is in the artifact store) → child `end` or `error`, then the child exits.
 * A parent `stop` at any time makes the trainer stop at the next step boundary, checkpoint and end `stopped`.
 * A child whose IPC channel closes (runner killed) stops training and exits.
 */

export const childTaskSchema = z.enum(['pretrain', 'evaluate']);
export type ChildTask = z.infer<typeof childTaskSchema>;

const startFields = {
  type: z.literal('start'),
  /** Per-run work folder: the trainer's outDir, pre-filled with the latest checkpoint when resuming. */
  outDir: z.string().min(1),
  /** True when outDir holds a checkpoint to resume from. */
  resume: z.boolean(),
  /** Backend to initialise (the job's, `auto` resolved by the runner). */
  backend: backendNameSchema,
  workers: z.number().int().min(0),
};

/** The job the child runs, with the job's payload as the runner parsed it (the child parses it once, here). */
export const childStartMessageSchema = z.discriminatedUnion('task', [
  z.object({
    ...startFields,
    task: z.literal('pretrain'),
    job: pretrainJobSchema,
    /** The job's `initWeights`, downloaded by the runner (a fresh attempt only: a resumed one has its checkpoint). */
    initWeightsFile: z.string().min(1).optional(),
  }),
  z.object({ ...startFields, task: z.literal('evaluate'), job: evaluateJobSchema }),
]);
export type ChildStartMessage = z.infer<typeof childStartMessageSchema>;

export const childProceedMessageSchema = z.object({ type: z.literal('proceed') });
export const stopReasonSchema = z.enum(['cancel', 'preempt']);
export type StopReason = z.infer<typeof stopReasonSchema>;
export const childStopMessageSchema = z.object({ type: z.literal('stop'), reason: stopReasonSchema });
export const childCheckpointStoredMessageSchema = z.object({
  type: z.literal('checkpoint-stored'),
  seq: z.number().int().min(0),
});

/** Messages from the runner to its child. */
export const parentToChildMessageSchema = z.discriminatedUnion('type', [
  childStartMessageSchema,
  childProceedMessageSchema,
  childStopMessageSchema,
  childCheckpointStoredMessageSchema,
]);
export type ParentToChildMessage = z.infer<typeof parentToChildMessageSchema>;

export const childDeviceMessageSchema = z.object({ type: z.literal('device'), device: deviceInfoSchema });
export const childMetricsMessageSchema = z.object({
  type: z.literal('metrics'),
  points: z.array(metricPointSchema),
});
export const childProgressMessageSchema = z.object({ type: z.literal('progress'), progress: progressSchema });
export const childCheckpointMessageSchema = z.object({
  type: z.literal('checkpoint'),
  /** Sequence number, echoed by `checkpoint-stored`. */
  seq: z.number().int().min(0),
  step: z.number().int().min(0),
  epoch: z.number().int().min(0),
  /** Files of the checkpoint, relative to outDir (POSIX separators). */
  files: z.array(z.string().min(1)).min(1),
});
export type ChildCheckpointMessage = z.infer<typeof childCheckpointMessageSchema>;
export const childEndMessageSchema = z.object({
  type: z.literal('end'),
  /** `completed`: trained to the end; `stopped`: stopped by a `stop` message after checkpointing. */
  outcome: z.enum(['completed', 'stopped']),
  /** Final backbone weights, relative to outDir, when training completed. */
  finalFiles: z.array(z.string().min(1)),
  step: z.number().int().min(0).nullable(),
});
export type ChildEndMessage = z.infer<typeof childEndMessageSchema>;
export const childErrorMessageSchema = z.object({
  type: z.literal('error'),
  message: z.string(),
  /** False for errors a retry cannot fix (invalid config, missing trainer entry). */
  retryable: z.boolean(),
});

/** Messages from a child to its runner. */
export const childToParentMessageSchema = z.discriminatedUnion('type', [
  childDeviceMessageSchema,
  childMetricsMessageSchema,
  childProgressMessageSchema,
  childCheckpointMessageSchema,
  childEndMessageSchema,
  childErrorMessageSchema,
]);
export type ChildToParentMessage = z.infer<typeof childToParentMessageSchema>;
