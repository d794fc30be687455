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
