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

/**
 * Applies a `run` event to a list: a run already listed is merged (see `mergeRun`), an unknown one is put
 * `first`, `last` or, with `skip`, left out (it does not belong to the list as sorted or filtered).
 */
export function upsertRun(list: readonly Run[], next: Run, place: 'first' | 'last' | 'skip'): readonly Run[] {
  const index = list.findIndex((r) => r.id === next.id);
  if (index >= 0) {
    const merged = mergeRun(list[index] as Run, next);
    if (merged === list[index]) return list;
    const copy = list.slice();
    copy[index] = merged;
    return copy;
  }
  if (place === 'first') return [next, ...list];
  if (place === 'last') return [...list, next];
  return list;
}
