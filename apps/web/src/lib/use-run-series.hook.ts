'use client';

import { runRoom } from '@equilab/contracts';
import { useEffect, useState } from 'react';
import { fetchRunSeries, type BandsByRun, type SeriesByRun } from './fetch-run-series';
import { mergeLoaded, mergePoints } from './series';
import { useToken } from './settings.store';
import { useLive, type LiveStatus } from './socket.client';

export type { BandsByRun, SeriesByRun } from './fetch-run-series';

/** A step range to load (a zoomed chart's visible range): the server downsamples that range only. */
export type StepWindow = { fromStep: number; toStep: number } | null;

/**
 * Loads the downsampled series of every metric of `runIds` (fetchRunSeries: columnar /metrics/compare reads, 10
 * runs a request, in parallel) and merges the live
 * `metrics` events of the runs' rooms into them. `stepWindow` (a zoom) loads that step range again, downsampled to
 * `points` within it, and replaces the series' points there (`mergeLoaded`); `bands` are the last load's bucket
 * min/max of each downsampled series.
 */
export function useRunSeries(
  runIds: readonly string[],
  points = 1000,
  stepWindow: StepWindow = null,
): { series: SeriesByRun; bands: BandsByRun; keys: string[]; loading: boolean; error: Error | null; live: LiveStatus } {
  const token = useToken();
  const [series, setSeries] = useState<SeriesByRun>({});
  const [bands, setBands] = useState<BandsByRun>({});
  /** The request (ids, token, points) that last finished, and its error. */
  const [settled, setSettled] = useState<{ request: string | null; error: Error | null }>({ request: null, error: null });
  const idsKey = runIds.join(',');
  const range = stepWindow ? `${stepWindow.fromStep}-${stepWindow.toStep}` : '';
  const request = token === undefined || idsKey === '' ? null : `${idsKey}|${token ?? ''}|${points}|${range}`;

  useEffect(() => {
    if (request === null) return undefined;
    const controller = new AbortController();
    const ids = idsKey.split(',');
    const [fromStep, toStep] = range ? range.split('-').map(Number) : [];
    fetchRunSeries(ids, { points, ...(fromStep !== undefined && toStep !== undefined ? { fromStep, toStep } : {}) }, controller.signal)
      .then(({ series: result, bands: resultBands }) => ({ result, resultBands }))
      .then(({ result, resultBands }) => {
        if (controller.signal.aborted) return;
        setBands(resultBands);
        // Keep live points that arrived while loading (and, for a zoom, the points outside its window).
        const loadedWindow = fromStep !== undefined && toStep !== undefined ? { fromStep, toStep } : null;
        setSeries((previous) => {
          const merged: SeriesByRun = { ...result };
          for (const [id, byKey] of Object.entries(previous)) {
            const target = { ...(merged[id] ?? {}) };
            for (const [key, pts] of Object.entries(byKey)) target[key] = mergeLoaded(pts, target[key] ?? [], loadedWindow);
            merged[id] = target;
          }
          return merged;
        });
        setSettled({ request, error: null });
      })
      .catch((reason: unknown) => {
        if (controller.signal.aborted) return;
        setSettled({ request, error: reason instanceof Error ? reason : new Error(String(reason)) });
      });
    return () => controller.abort();
  }, [request, idsKey, points, range]);

  const live = useLive(
    runIds.map((id) => runRoom(id)),
    {
      metrics: (event) => {
        setSeries((previous) => {
          const next: SeriesByRun = { ...previous };
          for (const { runId, points: incoming } of event.runs) {
            if (!runIds.includes(runId)) continue;
            const byKey = { ...(next[runId] ?? {}) };
            const grouped = new Map<string, typeof incoming>();
            for (const point of incoming) grouped.set(point.key, [...(grouped.get(point.key) ?? []), point]);
            for (const [key, pts] of grouped) byKey[key] = mergePoints(byKey[key] ?? [], pts);
            next[runId] = byKey;
          }
          return next;
        });
      },
    },
  );

  const keys = [...new Set(Object.values(series).flatMap((byKey) => Object.keys(byKey)))].sort();
  const loading = request === null || settled.request !== request;
  return { series, bands, keys, loading, error: loading ? null : settled.error, live };
}
