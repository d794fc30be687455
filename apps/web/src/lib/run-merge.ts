import { terminalRunStatuses, type Run } from '@equilab/contracts';

/**
 * Applies a `run` event (or an action's response) to the run shown. Events can arrive out of order (a progress
 * update read before a cancel may be delivered after it), so a finished attempt is never moved back to an
 * active state by a stale event, and progress never goes backwards within an attempt. A retry (higher
 * attempt) always wins.
 */
export function mergeRun<T extends Run>(previous: T, next: Run): T {
  if (next.attempt < previous.attempt) return previous;
  if (next.attempt === previous.attempt) {
    if (terminalRunStatuses.includes(previous.status) && !terminalRunStatuses.includes(next.status)) return previous;
    if (previous.status === next.status && previous.step !== null && next.step !== null && next.step < previous.step) return previous;
  }
  return { ...previous, ...next };
}
