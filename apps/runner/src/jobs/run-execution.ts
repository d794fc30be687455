import type { StopReason } from '@equilab/contracts';

/** A job this runner is executing: the handle cancel and preemption go through. */
export class RunExecution {
  private reason: StopReason | null = null;
  private listener: ((reason: StopReason) => void) | null = null;

  constructor(
    readonly runId: string,
    readonly jobId: string,
  ) {}

  get stopReason(): StopReason | null {
    return this.reason;
  }

  /** Ask the training to stop at its next step boundary (first reason wins: a cancel is not turned into a preemption). */
  stop(reason: StopReason): void {
    if (this.reason) return;
    this.reason = reason;
    this.listener?.(reason);
  }

  /** Called with the reason at once if a stop was already asked for. */
  onStop(listener: (reason: StopReason) => void): void {
    this.listener = listener;
    if (this.reason) listener(this.reason);
  }
}
