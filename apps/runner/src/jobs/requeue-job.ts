import { DelayedError, type Job } from 'bullmq';

/** How long a handed-back job waits before a runner may take it again. */
export const REQUEUE_DELAY_MS = 1_000;

/**
 * Hand the job back to its queue without spending an attempt: BullMQ's idiom is `job.moveToDelayed` with
 * the worker's lock token, then throwing `DelayedError` so the worker leaves the job where it was moved.
 */
export async function requeueJob(job: Job, token: string | undefined, why: string): Promise<never> {
  await job.moveToDelayed(Date.now() + REQUEUE_DELAY_MS, token);
  throw new DelayedError(`re-queued: ${why}`);
}
