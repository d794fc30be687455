import { MAX_INT4, MAX_WALL_TIME_MS, NUL_FREE, type MetricPoint } from '@equilab/contracts';
import type { ScalarPoint } from './event-file.reader';

/** Bounds of an Equilab metric point (libs/contracts `metricPointSchema`). */
export const MAX_TAG_LENGTH = 200;
/** Equilab stores steps as 32-bit integers (TensorBoard's are int64). */
export const MAX_STEP = MAX_INT4;

export interface DroppedPoints {
  readonly tag: string;
  readonly reason: string;
  count: number;
}

export interface MetricConversion {
  readonly points: MetricPoint[];
  /** Points Equilab cannot store, counted per tag and reason (nothing is dropped silently). */
  readonly dropped: DroppedPoints[];
}

function problem(p: ScalarPoint): string | null {
  if (p.tag.length === 0) return 'empty tag';
  if (p.tag.length > MAX_TAG_LENGTH) return `tag longer than ${MAX_TAG_LENGTH} characters`;
  if (!NUL_FREE.test(p.tag)) return 'tag contains the NUL character';
  if (!Number.isSafeInteger(p.step) || p.step < 0) return 'negative or non-integer step';
  if (p.step > MAX_STEP) return `step beyond ${MAX_STEP}`;
  if (!Number.isFinite(p.value)) return `value is ${p.value}`;
  if (!(p.wallTime >= 0) || !Number.isFinite(p.wallTime)) return 'wall time before 1970 or not finite';
  if (Math.round(p.wallTime * 1000) > MAX_WALL_TIME_MS) return 'wall time after 9999-12-31';
  return null;
}

/**
 * TensorBoard scalars → Equilab metric points: tag → key, wall time (s) → time (ms, rounded). When a
 * (tag, step) occurs more than once the last one wins, as an upsert into Equilab's series would do.
 */
export function scalarsToMetricPoints(points: readonly ScalarPoint[]): MetricConversion {
  const byKey = new Map<string, MetricPoint>();
  const dropped = new Map<string, DroppedPoints>();
  for (const p of points) {
    const reason = problem(p);
    if (reason !== null) {
      const key = `${p.tag}\u0000${reason}`;
      const entry = dropped.get(key);
      if (entry) entry.count += 1;
      else dropped.set(key, { tag: p.tag.slice(0, MAX_TAG_LENGTH).replaceAll('\u0000', '\uFFFD'), reason, count: 1 });
      continue;
    }
    byKey.set(`${p.tag}\u0000${p.step}`, { key: p.tag, step: p.step, value: p.value, time: Math.round(p.wallTime * 1000) });
  }
  return { points: [...byKey.values()], dropped: [...dropped.values()] };
}

/** Equilab metric points → TensorBoard scalars (time in ms → wall time in s). */
export function metricPointsToScalars(points: readonly MetricPoint[]): ScalarPoint[] {
  return points.map((p) => ({ tag: p.key, step: p.step, value: p.value, wallTime: p.time / 1000 }));
}
