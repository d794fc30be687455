'use client';

import { useCallback, useState } from 'react';

export interface ActionState {
  /** An action is in flight (disable its buttons). */
  busy: boolean;
  /** What the last action failed with, until the next one starts. */
  error: Error | null;
  /** Runs `action`; a rejection becomes `error` instead of an unhandled promise. */
  run: (action: () => Promise<unknown>) => void;
}

/** State of a page's buttons that call the API (cancel, retry, request …). */
export function useAction(): ActionState {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const run = useCallback((action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    action()
      .catch((reason: unknown) => setError(reason instanceof Error ? reason : new Error(String(reason))))
      .finally(() => setBusy(false));
  }, []);
  return { busy, error, run };
}
