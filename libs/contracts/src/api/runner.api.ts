import { z } from 'zod';
import { artifactSchema, metricPointSchema, progressSchema } from '../training';
import { MAX_NAME_LENGTH } from './annotations.api';
import { int4, MAX_ERROR_LENGTH, MAX_LABEL_LENGTH, text } from './bounds';

/**
 * The runner ⇄ API protocol. All routes are under `/api`, authenticated with `Authorization: Bearer <token>`.
 *
 * | route                              | token  | body                      | response            |
 * |------------------------------------|--------|---------------------------|---------------------|
 * | POST /api/runners                  | runner | RegisterRunner            | RegisterRunnerResult|
 * | POST /api/runners/:id/heartbeat    | runner | RunnerHeartbeat           | RunnerHeartbeatResult|
 * | POST /api/runners/:id/credentials  | runner | RunCredentialRequest      | RunCredential       |
 * | POST /api/runs/:id/start           | run    | StartRun                  | StartRunResult (409 if canceled/finished) |
 * | POST /api/runs/:id/progress        | run    | Progress (training.ts)    | { ok: true }        |
 * | POST /api/runs/:id/metrics         | run    | { points: MetricPoint[] } (≤ 10,000) | { accepted } |
 * | POST /api/runs/:id/artifacts       | run    | Artifact (training.ts)    | { id }              |
 * | POST /api/runs/:id/finish          | run    | FinishRun                 | { status }          |
 * | POST /api/evaluations/:id/report   | run    | EvaluationReport          | Evaluation          |
 *
 * Credentials: a runner token acts only for the runners registered with it (another runner's id: 404). No
 * secret travels through Redis: when a runner takes a job it asks `POST /api/runners/:id/credentials` with its
 * runner token for the job's run token (`{ queue, jobId }`; jobId `<runId>.<attempt>` or
 * `<evaluationId>.<attempt>`). The API answers 409 when that attempt is no longer current or active (drop the
 * job). A pretrain run token may only call its run's routes, and only while that attempt is queued or running:
 * it is revoked when the attempt ends (finished, canceled, preempted) and a newer attempt's job gets its own.
 * An evaluate run token may only report its evaluation and write its run's metrics and artifacts while that
 * evaluation attempt is queued or running. User tokens (admin, member) cannot call any route of this table.
 *
 * Attempts and retries:
 * - `attempt` in StartRun is the runner's attempt number for this job (`job.attemptsMade + 1`). `start` is
 *   accepted while the run is `queued` or `running` (a restart after a runner crash / stalled job), and
 *   answers 409 (`illegal_transition`) once the run is canceled, succeeded or failed: the runner must then
 *   drop the job without training (complete it, do not throw).
 * - A retryable failure: the runner throws from the BullMQ processor, BullMQ retries (jobCatalogue attempts
 *   and backoff); the run stays `running`. Report `finish { status: 'failed' }` only for the final attempt or a
 *   non-retryable error.
 * - Preemption (SIGTERM of the pod, etc.): the runner saves a checkpoint, reports
 *   `finish { status: 'preempted' }` and COMPLETES its BullMQ job normally. The API — not the runner — moves
 *   the run back to `queued`, increments its attempt and enqueues a fresh job (jobId `<runId>.<attempt>`).
 *   The new job's payload is a full PretrainJob; the runner resumes from the run's latest checkpoint artifact.
 * - Cancel: the API sets `canceled`, removes the job if it is still waiting and publishes `{ runId }` on the
 *   Redis channel `CANCEL_CHANNEL` (jobs.ts). A runner training that run stops, reports
 *   `finish { status: 'canceled' }` (accepted, no-op) and completes its job. Heartbeat responses also list
 *   `cancelRunIds` among the runner's active runs, in case the pub/sub message was missed.
 */

/** `POST /api/runners` (runner token). */
export const registerRunnerSchema = z.strictObject({
  name: text(MAX_NAME_LENGTH),
  hostname: text(255),
  /** Number of devices (parallel training slots) of this runner. */
  devices: z.number().int().min(1).max(1024),
  /** Human readable device, e.g. `cpu (2 threads)`, `NVIDIA A100`. */
  device: text(MAX_LABEL_LENGTH),
  backend: text(50),
});
export type RegisterRunner = z.infer<typeof registerRunnerSchema>;
export const registerRunnerResultSchema = z.object({ id: z.string().uuid() });
export type RegisterRunnerResult = z.infer<typeof registerRunnerResultSchema>;

/** `POST /api/runners/:id/heartbeat` (runner token). */
export const runnerHeartbeatSchema = z.strictObject({ activeRunIds: z.array(z.string().uuid()).max(1024) });
export type RunnerHeartbeat = z.infer<typeof runnerHeartbeatSchema>;
export const runnerHeartbeatResultSchema = z.object({
  /** Active runs that have been canceled: stop them. */
  cancelRunIds: z.array(z.string().uuid()),
});
export type RunnerHeartbeatResult = z.infer<typeof runnerHeartbeatResultSchema>;

/** `POST /api/runners/:id/credentials` (runner token): the run token of the job this runner has taken. */
export const runCredentialRequestSchema = z
  .object({
    queue: z.enum(['pretrain', 'evaluate']),
    /** The BullMQ job id: `<runId>.<attempt>` (pretrain) or `<evaluationId>.<attempt>` (evaluate). */
    jobId: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.[1-9][0-9]{0,8}$/i, 'must be <uuid>.<attempt>'),
  })
  .strict();
export type RunCredentialRequest = z.infer<typeof runCredentialRequestSchema>;
export const runCredentialSchema = z.object({
  /** Bearer token for the job's run routes (shown once; only its hash is stored). */
  token: z.string(),
  runId: z.string().uuid(),
  attempt: z.number().int().min(1),
  evaluationId: z.string().uuid().nullable(),
});
export type RunCredential = z.infer<typeof runCredentialSchema>;

/** `POST /api/runs/:id/start` (run token). */
export const startRunSchema = z.strictObject({
  runnerId: z.string().uuid(),
  /** 1 … 2^31 − 1 (PostgreSQL int4). */
  attempt: int4().min(1),
  backend: text(50),
  /** 0 … 2^31 − 1. */
  threads: int4().nullable(),
  device: text(MAX_LABEL_LENGTH),
});
export type StartRun = z.infer<typeof startRunSchema>;
export const startRunResultSchema = z.object({
  status: z.literal('running'),
  attempt: z.number().int(),
  /** The run's resolved config (same as the job payload's). */
  config: z.record(z.string(), z.unknown()),
});
export type StartRunResult = z.infer<typeof startRunResultSchema>;

/** `POST /api/runs/:id/progress` (run token): also counts as the run's heartbeat. */
export const runProgressSchema = progressSchema;
export type RunProgress = z.infer<typeof runProgressSchema>;

/** `POST /api/runs/:id/metrics` (run token). */
export const runMetricsSchema = z.strictObject({ points: z.array(metricPointSchema).min(1) });

/** `POST /api/runs/:id/artifacts` (run token). */
export const runArtifactSchema = artifactSchema;
export const runArtifactResultSchema = z.object({ id: z.string().uuid() });

/** `POST /api/runs/:id/finish` (run token). */
export const finishRunSchema = z.strictObject({
  status: z.enum(['succeeded', 'failed', 'canceled', 'preempted']),
  /** At most 20,000 characters (`MAX_ERROR_LENGTH`), no NUL. */
  error: text(MAX_ERROR_LENGTH, 0).optional(),
});
export type FinishRun = z.infer<typeof finishRunSchema>;
export const finishRunResultSchema = z.object({
  /** The run's status after the call (`queued` after a preemption). */
  status: z.string(),
});
export type FinishRunResult = z.infer<typeof finishRunResultSchema>;

export const okSchema = z.object({ ok: z.literal(true) });
