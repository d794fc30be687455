'use client';

import { projectRoom, type Run, type SeriesResponse } from '@equilab/contracts';
import { useCallback, useMemo, useRef, useState } from 'react';
import { api } from '@/lib/api.client';
import { useLive } from '@/lib/socket.client';
import type { LatestValues } from './runs-query';

/** Running rows are asked for again this often; one request asks for at most this many runs. */
export const REFRESH_MS = 15_000;
const MAX_RUNS_PER_REQUEST = 200;
/** Wait for scrolling to stop before asking. */
const SETTLE_MS = 200;

/** `latest` with the values given (one copy of the map; the same map when there are none). */
function withValues(latest: LatestValues, values: Iterable<{ runId: string; key: string; value: number }>): LatestValues {
  let next: Map<string, Readonly<Record<string, number>>> | null = null;
  for (const { runId, key, value } of values) {
    next ??= new Map(latest);
    next.set(runId, { ...(next.get(runId) ?? {}), [key]: value });
  }
  return next ?? latest;
}

export interface LatestValuesState {
  latest: LatestValues;
  /**
   * Asks, once the rows have stayed on screen for a moment, for the values of those not asked for yet (and of
   * running ones asked for more than REFRESH_MS ago). Returns a cancel function (an effect's cleanup).
   */
  ask: (rows: readonly Run[]) => () => void;
}

/**
 * Latest values of the chosen metric keys for the Runs table: one `/metrics/compare` call for the rows on screen
 * when scrolling stops, plus the live `metrics` events of the project room.
 */
export function useLatestValues(projectId: string, metricKeys: readonly string[]): LatestValuesState {
  const [latest, setLatest] = useState<LatestValues>(new Map());
  const metricsKey = metricKeys.join('\n');
  const keys = useMemo(() => (metricsKey === '' ? [] : metricsKey.split('\n')), [metricsKey]);
  /** run id → when its values were asked for, for the metric keys `metricsKey`. */
  const asked = useRef({ metricsKey: '', at: new Map<string, number>() });

  const askNow = useCallback(
    (rows: readonly Run[]) => {
      if (keys.length === 0) return;
      if (asked.current.metricsKey !== metricsKey) asked.current = { metricsKey, at: new Map() };
      const at = asked.current.at;
      const now = Date.now();
      const missing = rows
        .filter((run) => {
          const when = at.get(run.id);
          return when === undefined || (run.status === 'running' && now - when >= REFRESH_MS - SETTLE_MS);
        })
        .map((run) => run.id)
        .slice(0, MAX_RUNS_PER_REQUEST);
      if (missing.length === 0) return;
      for (const id of missing) at.set(id, now);
      api<SeriesResponse>('/metrics/compare', { query: { runIds: missing, keys, points: 2 } }).then(
        (response) =>
          setLatest((previous) =>
            withValues(
              previous,
              response.series.flatMap((series) => {
                const last = series.points[series.points.length - 1];
                return last ? [{ runId: series.runId, key: series.key, value: last.value }] : [];
              }),
            ),
          ),
        () => {
          for (const id of missing) at.delete(id);
        },
      );
    },
    [keys, metricsKey],
  );

  const ask = useCallback(
    (rows: readonly Run[]) => {
      const timer = setTimeout(() => askNow(rows), SETTLE_MS);
      return () => clearTimeout(timer);
    },
    [askNow],
  );

  useLive([projectRoom(projectId)], {
    metrics: (event) => {
      const values = event.runs.flatMap(({ runId, points }) => points.filter((p) => keys.includes(p.key)).map((p) => ({ runId, key: p.key, value: p.value })));
      setLatest((previous) => withValues(previous, values));
    },
  });

  return { latest, ask };
}
