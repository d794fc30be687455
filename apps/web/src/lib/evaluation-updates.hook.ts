'use client';

import type { EvaluationEvent } from '@equilab/contracts';
import { useLive } from './socket.client';

/**
 * Calls `onUpdate` for every `evaluation` event of `rooms` (run, sweep or project rooms) while mounted, over the
 * page's one socket.
 */
export function useEvaluationUpdates(rooms: readonly string[], onUpdate: (event: EvaluationEvent) => void): void {
  useLive(rooms, { evaluation: onUpdate });
}
