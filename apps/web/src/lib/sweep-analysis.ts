import type { SweepDetail } from '@equilab/contracts';
import { formatValue } from './format';

/** One run's point for the sweep panels: its varied parameters and its metric value. */
export interface SweepPoint {
  readonly runId: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly value: number;
}

export interface ParameterImportance {
  readonly param: string;
  /** Spearman rank correlation with the metric (numeric parameters; null for categorical ones). */
  readonly correlation: number | null;
  /**
   * Share of the metric's variance explained by the parameter (correlation ratio η²): the runs grouped by the
   * parameter's value (numeric: into at most 4 quantile bins), between-group variance over total variance, 0…1.
   */
  readonly importance: number;
  readonly numeric: boolean;
}

function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    for (let k = i; k <= j; k++) out[order[k]![1]] = (i + j) / 2;
    i = j + 1;
  }
  return out;
}

function pearson(x: readonly number[], y: readonly number[]): number | null {
  const n = x.length;
  if (n < 3) return null;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? null : sxy / Math.sqrt(sxx * syy);
}

/** Spearman's ρ: the Pearson correlation of the ranks (ties share their mean rank). */
export function spearman(x: readonly number[], y: readonly number[]): number | null {
  return pearson(ranks(x), ranks(y));
}

/** η² of `values` grouped by `groups` (between-group sum of squares over the total). */
export function correlationRatio(groups: readonly string[], values: readonly number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const total = values.reduce((s, v) => s + (v - mean) ** 2, 0);
  if (total === 0) return 0;
  const byGroup = new Map<string, number[]>();
  groups.forEach((g, i) => byGroup.set(g, [...(byGroup.get(g) ?? []), values[i]!]));
  let between = 0;
  for (const members of byGroup.values()) {
    const m = members.reduce((a, b) => a + b, 0) / members.length;
    between += members.length * (m - mean) ** 2;
  }
  return between / total;
}

/** Each varied parameter's correlation with the metric and its importance estimate, most important first. */
export function parameterImportance(points: readonly SweepPoint[], params: readonly string[]): ParameterImportance[] {
  const out: ParameterImportance[] = [];
  for (const param of params) {
    const rows = points.filter((p) => p.params[param] !== undefined && Number.isFinite(p.value));
    if (rows.length < 2) continue;
    const raw = rows.map((p) => p.params[param]);
    const numeric = raw.every((v) => typeof v === 'number' && Number.isFinite(v));
    const values = rows.map((p) => p.value);
    let groups: string[];
    let correlation: number | null = null;
    if (numeric) {
      const x = raw as number[];
      correlation = spearman(x, values);
      const distinct = new Set(x).size;
      if (distinct <= 4) groups = x.map(String);
      else {
        const r = ranks(x);
        groups = r.map((rank) => String(Math.min(3, Math.floor((rank / x.length) * 4))));
      }
    } else groups = raw.map((v) => formatValue(v));
    out.push({ param, correlation, importance: correlationRatio(groups, values), numeric });
  }
  return out.sort((a, b) => b.importance - a.importance);
}

export interface BestRun {
  readonly runId: string;
  readonly value: number;
  /** ASHA: the rung's epochs the value was reached at. */
  readonly epochs?: number;
}

/**
 * The best run: ASHA sweeps by the searcher's own record (the best value at the longest rung any run reached, in
 * the sweep's mode); other sweeps by the points' values (`lowerIsBetter`).
 */
export function bestRun(sweep: Pick<SweepDetail, 'asha' | 'rungs'>, points: readonly SweepPoint[], lowerIsBetter: boolean): BestRun | null {
  if (sweep.asha && sweep.rungs.length > 0) {
    const sign = sweep.asha.mode === 'min' ? 1 : -1;
    const longest = Math.max(...sweep.rungs.map((r) => r.epochs));
    const candidates = sweep.rungs.filter((r) => r.epochs === longest).flatMap((r) => r.results.filter((x) => x.value !== null).map((x) => ({ runId: x.runId, value: x.value as number, epochs: longest })));
    candidates.sort((a, b) => sign * (a.value - b.value));
    if (candidates[0]) return candidates[0];
  }
  const sorted = [...points].filter((p) => Number.isFinite(p.value)).sort((a, b) => (lowerIsBetter ? a.value - b.value : b.value - a.value));
  return sorted[0] ? { runId: sorted[0].runId, value: sorted[0].value } : null;
}

/** ASHA: each run's value at the first rung of its bracket (an equal budget for every run), for a fair comparison. */
export function firstRungPoints(sweep: Pick<SweepDetail, 'rungs' | 'runs'>): SweepPoint[] {
  const params = new Map(sweep.runs.map((r) => [r.id, r.sweepParams ?? {}]));
  return sweep.rungs
    .filter((r) => r.rung === 0)
    .flatMap((r) => r.results.filter((x) => x.value !== null).map((x) => ({ runId: x.runId, params: params.get(x.runId) ?? {}, value: x.value as number })));
}
