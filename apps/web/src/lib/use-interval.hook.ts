'use client';

import { useEffect, useEffectEvent, useState } from 'react';

/** Calls `callback` every `ms` milliseconds while mounted and `enabled` (the latest callback, not the first). */
export function useInterval(callback: () => void, ms: number, enabled = true): void {
  const onTick = useEffectEvent(callback);
  useEffect(() => {
    if (!enabled) return undefined;
    const timer = setInterval(() => onTick(), ms);
    return () => clearInterval(timer);
  }, [ms, enabled]);
}

/** A number that goes up every `ms` while `enabled`: as an effect dependency it re-runs the effect periodically. */
export function useTick(ms: number, enabled = true): number {
  const [tick, setTick] = useState(0);
  useInterval(() => setTick((t) => t + 1), ms, enabled);
  return tick;
}

/** `Date.now()`, refreshed every `ms` (for "5s ago" labels). */
export function useNow(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useInterval(() => setNow(Date.now()), ms);
  return now;
}
