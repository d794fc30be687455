import type { SeriesPoint } from '@equilab/contracts';
import { smoothEma } from './series';

/** A value range over steps `fromStep..toStep`: a downsampling bucket's min/max, or a group's spread at one step. */
export interface Envelope {
  fromStep: number;
  toStep: number;
  min: number;
  max: number;
}

/** x axis of a chart: the step, seconds since each run's first point, or the value of another logged metric. */
export type XAxisMode = 'step' | 'time' | 'metric';

/** The data of one drawn curve (a run, or a group's mean). */
export interface CurveInput {
  points: readonly SeriesPoint[];
  /** Drawn as a filled band behind the curve (downsampling min/max, or a group's ±sd / min–max). */
  band?: readonly Envelope[] | undefined;
  /** The x-axis metric's series of the same run (xAxis `metric`); its value at each step is the point's x. */
  xPoints?: readonly SeriesPoint[] | undefined;
}

export interface CurveOptions {
  smoothing: number;
  logScale: boolean;
  xAxis: XAxisMode;
}

/** One drawn uPlot series of a curve: the lower or upper edge of its band, its faint raw line, or its line. */
export type TableRole = 'band-lo' | 'band-hi' | 'raw' | 'line';

export interface CurveTable {
  role: TableRole;
  /** Index of the curve in the input. */
  of: number;
  xs: number[];
  ys: number[];
}

/**
 * Samples a step-sorted series at sorted `steps`: the value at that step, linearly interpolated between the
 * neighbouring points inside the series' step range, undefined outside it.
 */
export function sampleAtSteps(points: readonly { step: number; value: number }[], steps: readonly number[]): (number | undefined)[] {
  const out: (number | undefined)[] = [];
  let j = 0;
  for (const step of steps) {
    while (j < points.length - 1 && (points[j + 1]?.step ?? Infinity) <= step) j += 1;
    const a = points[j];
    const b = points[j + 1];
    if (!a || step < a.step || (a.step !== step && !b)) out.push(undefined);
    else if (a.step === step || !b) out.push(a.value);
    else out.push(a.value + ((b.value - a.value) * (step - a.step)) / (b.step - a.step));
  }
  return out;
}

/** x of each of `steps` for a curve: the step itself, seconds since its first point, or the x metric's value (aligned by step). */
export function xAtSteps(curve: CurveInput, mode: XAxisMode, steps: readonly number[]): (number | undefined)[] {
  if (mode === 'step') return [...steps];
  if (mode === 'time') {
    const t0 = curve.points[0]?.time ?? 0;
    return sampleAtSteps(
      curve.points.map((p) => ({ step: p.step, value: (p.time - t0) / 1000 })),
      steps,
    );
  }
  return sampleAtSteps(curve.xPoints ?? [], steps);
}

/**
 * Pairs xs and ys, dropping points without an x, sorted by x; points that share an x (a metric logged once per
 * epoch as the x axis) are averaged, since a uPlot x axis holds each x once.
 */
export function byX(xs: readonly (number | undefined)[], ys: readonly number[], sort: boolean): { xs: number[]; ys: number[] } {
  const pairs: Array<[number, number]> = [];
  xs.forEach((x, i) => {
    const y = ys[i];
    if (x !== undefined && Number.isFinite(x) && y !== undefined) pairs.push([x, y]);
  });
  if (!sort) return { xs: pairs.map((p) => p[0]), ys: pairs.map((p) => p[1]) };
  pairs.sort((a, b) => a[0] - b[0]);
  const outX: number[] = [];
  const outY: number[] = [];
  let i = 0;
  while (i < pairs.length) {
    const x = pairs[i]?.[0] ?? 0;
    let sum = 0;
    let n = 0;
    let nonFinite: number | null = null;
    while (i < pairs.length && pairs[i]?.[0] === x) {
      const y = pairs[i]?.[1] ?? 0;
      if (Number.isFinite(y)) {
        sum += y;
        n += 1;
      } else nonFinite = y;
      i += 1;
    }
    outX.push(x);
    outY.push(n > 0 ? sum / n : (nonFinite ?? Number.NaN));
  }
  return { xs: outX, ys: outY };
}

const positive = (v: number) => (v > 0 ? v : Number.NaN);

/**
 * The uPlot tables of the curves, in draw order: every band (lower and upper edge) first, then, when smoothing, the
 * faint raw curves, then the curves (smoothed when smoothing > 0, so the smoothed line is drawn over the raw one).
 * On a log scale values at or below zero become NaN (not drawn).
 */
export function curveTables(curves: readonly CurveInput[], options: CurveOptions): CurveTable[] {
  const sort = options.xAxis !== 'step';
  const bands: CurveTable[] = [];
  const raws: CurveTable[] = [];
  const lines: CurveTable[] = [];
  curves.forEach((curve, of) => {
    const steps = curve.points.map((p) => p.step);
    const xs = xAtSteps(curve, options.xAxis, steps);
    const raw = curve.points.map((p) => p.value);
    const smoothed = smoothEma(raw, options.smoothing);
    const fix = options.logScale ? (ys: number[]) => ys.map(positive) : (ys: number[]) => ys;
    const line = byX(xs, fix(smoothed), sort);
    lines.push({ role: 'line', of, ...line });
    if (options.smoothing > 0) raws.push({ role: 'raw', of, ...byX(xs, fix(raw), sort) });
    if (curve.band && curve.band.length > 0) {
      const edgeSteps = curve.band.flatMap((b) => (b.fromStep === b.toStep ? [b.fromStep] : [b.fromStep, b.toStep]));
      const lo = curve.band.flatMap((b) => (b.fromStep === b.toStep ? [b.min] : [b.min, b.min]));
      const hi = curve.band.flatMap((b) => (b.fromStep === b.toStep ? [b.max] : [b.max, b.max]));
      // Step order is needed for the interpolation; bands are in step order already.
      const order = edgeSteps.map((_, i) => i).sort((a, b) => (edgeSteps[a] ?? 0) - (edgeSteps[b] ?? 0));
      const sortedSteps = order.map((i) => edgeSteps[i] ?? 0);
      const bx = xAtSteps(curve, options.xAxis, sortedSteps);
      const loT = byX(bx, fix(order.map((i) => lo[i] ?? Number.NaN)), true);
      const hiT = byX(bx, fix(order.map((i) => hi[i] ?? Number.NaN)), true);
      bands.push({ role: 'band-lo', of, ...loT }, { role: 'band-hi', of, ...hiT });
    }
  });
  return [...bands, ...raws, ...lines];
}

/** How a group's spread is drawn around its mean: ± one sample standard deviation, or the members' min and max. */
export type GroupBandMode = 'sd' | 'minmax';

export interface GroupCurve {
  /** The mean over the members at every step any member logged (wall time: the members' mean). */
  points: SeriesPoint[];
  band: Envelope[];
  /** Members with at least one point. */
  members: number;
}

/**
 * The mean curve of a group of runs with its band, aligned by step: at every step any member logged, each member
 * whose step range covers it contributes its value there (interpolated linearly between its own neighbouring
 * points when it logged at other steps, e.g. downsampled series); members that ended earlier or started later do
 * not count. The band is mean ± the sample standard deviation (0 for a single value) or the min and max.
 */
export function groupCurve(members: readonly (readonly SeriesPoint[])[], mode: GroupBandMode): GroupCurve {
  const present = members.filter((m) => m.length > 0);
  const steps = [...new Set(present.flatMap((m) => m.map((p) => p.step)))].sort((a, b) => a - b);
  const values = present.map((m) => sampleAtSteps(m, steps));
  const times = present.map((m) =>
    sampleAtSteps(
      m.map((p) => ({ step: p.step, value: p.time })),
      steps,
    ),
  );
  const points: SeriesPoint[] = [];
  const band: Envelope[] = [];
  steps.forEach((step, i) => {
    const vs: number[] = [];
    const ts: number[] = [];
    values.forEach((column, m) => {
      const v = column[i];
      if (v !== undefined && Number.isFinite(v)) {
        vs.push(v);
        ts.push(times[m]?.[i] ?? 0);
      }
    });
    if (vs.length === 0) return;
    const mean = vs.reduce((a, b) => a + b, 0) / vs.length;
    const time = ts.reduce((a, b) => a + b, 0) / ts.length;
    points.push({ step, value: mean, time });
    if (mode === 'minmax') band.push({ fromStep: step, toStep: step, min: Math.min(...vs), max: Math.max(...vs) });
    else {
      const sd = vs.length > 1 ? Math.sqrt(vs.reduce((a, v) => a + (v - mean) ** 2, 0) / (vs.length - 1)) : 0;
      band.push({ fromStep: step, toStep: step, min: mean - sd, max: mean + sd });
    }
  });
  return { points, band, members: present.length };
}

/**
 * The value of series `ys` nearest to index `idx` (the cursor's) on a joined x axis where the series has gaps
 * (runs logged at different steps): the value at idx, else the closer non-empty neighbour within `reach` indices.
 */
export function valueNear(xs: ArrayLike<number>, ys: ArrayLike<number | null | undefined>, idx: number, reach = 64): { x: number; y: number } | null {
  const at = (i: number) => {
    const y = ys[i];
    return y === null || y === undefined || Number.isNaN(y) ? null : y;
  };
  const here = at(idx);
  if (here !== null) return { x: xs[idx] ?? 0, y: here };
  const x0 = xs[idx] ?? 0;
  let best: { x: number; y: number } | null = null;
  for (let d = 1; d <= reach; d += 1) {
    for (const i of [idx - d, idx + d]) {
      if (i < 0 || i >= ys.length) continue;
      const y = at(i);
      const x = xs[i] ?? 0;
      if (y !== null && (!best || Math.abs(x - x0) < Math.abs(best.x - x0))) best = { x, y };
    }
    if (best) return best;
  }
  return null;
}
