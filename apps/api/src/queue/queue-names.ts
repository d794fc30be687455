import { jobCatalogue } from '@equilab/contracts';

export const PRETRAIN_QUEUE = jobCatalogue.pretrain.queue;
export const EVALUATE_QUEUE = jobCatalogue.evaluate.queue;
export const QUEUE_NAMES = [PRETRAIN_QUEUE, EVALUATE_QUEUE] as const;

/** Sweep/run priority (0..1000, higher first) → BullMQ priority (1 is the highest). */
export function bullPriority(priority: number): number {
  return 1 + (1000 - Math.min(1000, Math.max(0, Math.round(priority))));
}

/** Idempotent BullMQ job id of one attempt of a run (BullMQ ids may not contain ':'). */
export function runJobId(runId: string, attempt: number): string {
  return `${runId}.${attempt}`;
}
