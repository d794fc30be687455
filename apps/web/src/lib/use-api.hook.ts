'use client';

import { useCallback, useEffect, useEffectEvent, useState } from 'react';
import { useToken } from './settings.store';

export interface ApiState<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => void;
  setData: (update: (previous: T | undefined) => T | undefined) => void;
}

interface Settled<T> {
  /** The request (key, token, reload count) the data and error belong to. */
  request: string | null;
  data: T | undefined;
  error: Error | undefined;
}

/** Whether two requests differ only by their reload count (same key, same token). */
function sameSubject(a: string | null, b: string): boolean {
  return a !== null && a.slice(0, a.lastIndexOf('\u0000')) === b.slice(0, b.lastIndexOf('\u0000'));
}

/**
 * Loads `fetcher()` when the token or `key` change; `key === null` skips the call (e.g. missing id).
 * Re-loads keep the previous data visible (no flash of the loading state); a failed reload keeps it too, but a
 * failure after the key or the token changed does not (a rejected token must not leave the old list on screen).
 */
export function useApi<T>(key: string | null, fetcher: (signal: AbortSignal) => Promise<T>): ApiState<T> {
  const token = useToken();
  const [generation, setGeneration] = useState(0);
  const [settled, setSettled] = useState<Settled<T>>({ request: null, data: undefined, error: undefined });
  const load = useEffectEvent(fetcher);
  const request = key === null || token === undefined ? null : `${key}\u0000${token ?? ''}\u0000${generation}`;

  useEffect(() => {
    if (request === null) return undefined;
    const controller = new AbortController();
    load(controller.signal).then(
      (value) => {
        if (!controller.signal.aborted) setSettled({ request, data: value, error: undefined });
      },
      (reason: unknown) => {
        // A failed reload keeps the data shown; a failure for another key or token drops it (it was someone else's answer).
        if (!controller.signal.aborted)
          setSettled((previous) => ({ request, data: sameSubject(previous.request, request) ? previous.data : undefined, error: reason instanceof Error ? reason : new Error(String(reason)) }));
      },
    );
    return () => controller.abort();
  }, [request]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const setData = useCallback((update: (previous: T | undefined) => T | undefined) => setSettled((previous) => ({ ...previous, data: update(previous.data) })), []);
  // Nothing to load (no key) is not loading; before the token is read (first render) it is.
  const loading = key !== null && (request === null || settled.request !== request);
  return { data: settled.data, error: settled.error, loading, reload, setData };
}
