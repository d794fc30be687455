import type { MetricPoint, SeriesPoint } from '@equilab/contracts';

/** Merges live points into a step-sorted series (a point at an existing step replaces it). */
export function mergePoints(series: readonly SeriesPoint[], incoming: readonly MetricPoint[]): SeriesPoint[] {
  if (incoming.length === 0) return series as SeriesPoint[];
  const last = series[series.length - 1];
  const sorted = [...incoming].sort((a, b) => a.step - b.step);
  const first = sorted[0];
  if (first && (!last || first.step > last.step)) {
    return [...series, ...sorted.map(({ step, value, time }) => ({ step, value, time }))];
  }
  const byStep = new Map<number, SeriesPoint>();
  for (const point of series) byStep.set(point.step, point);
  for (const { step, value, time } of sorted) byStep.set(step, { step, value, time });
  return [...byStep.values()].sort((a, b) => a.step - b.step);
}

/** Exponential moving average like TensorBoard's smoothing slider (debiased). */
export function smoothEma(values: readonly number[], weight: number): number[] {
  if (weight <= 0) return [...values];
  const out: number[] = [];
  let last = 0;
  let count = 0;
  for (const value of values) {
    if (!Number.isFinite(value)) {
      out.push(value);
      continue;
    }
    last = last * weight + (1 - weight) * value;
    count += 1;
    out.push(last / (1 - Math.pow(weight, count)));
  }
  return out;
}

/**
 * A freshly loaded series merged with what was shown before it: the loaded points replace the previous ones in
 * the steps the load covered — all steps up to its last point, or, for a zoom's load, the window fromStep..toStep —
 * and previous points elsewhere stay (live points that arrived while loading; outside a zoom, the coarser
 * whole-range points). So zooming in and out does not pile dense zoomed points into the whole-range series.
 */
export function mergeLoaded(previous: readonly SeriesPoint[], loaded: readonly SeriesPoint[], window: { fromStep: number; toStep: number } | null): SeriesPoint[] {
  const last = loaded[loaded.length - 1]?.step ?? Number.NEGATIVE_INFINITY;
  const keep = window ? (step: number) => step < window.fromStep || step > window.toStep : (step: number) => step > last;
  const kept = previous.filter((p) => keep(p.step));
  if (kept.length === 0) return [...loaded];
  return [...kept, ...loaded].sort((a, b) => a.step - b.step);
}
