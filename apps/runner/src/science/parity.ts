import type { Curve } from './curve.format';
import { ACCEPTANCE_STEPS } from './science.recipe';

/**
 * How far from the reference a statistic may lie: `abs` (the band widened by δ) or `rel` (the band widened by
 * δ·|bound|, at least `floor`).
 */
export type Tolerance = { readonly kind: 'abs'; readonly delta: number } | { readonly kind: 'rel'; readonly delta: number; readonly floor: number };

/** The acceptance of issue #10: top-1 ±0.06, rotation R² ±0.03, loss terms ±15% (at least 0.005). */
const ACCEPTANCE: ReadonlyMap<string, Tolerance> = new Map<string, Tolerance>([
  ['Online eval reprs/Top-1 representations', { kind: 'abs', delta: 0.06 }],
  ['Online eval reprs/R2 representations', { kind: 'abs', delta: 0.03 }],
  ['Online eval reprs/R2 representations-equi', { kind: 'abs', delta: 0.03 }],
  ['Loss/Invariance loss', { kind: 'rel', delta: 0.15, floor: 0.005 }],
  ['Loss/Equivariance loss', { kind: 'rel', delta: 0.15, floor: 0.005 }],
  ['Loss/Std loss', { kind: 'rel', delta: 0.15, floor: 0.005 }],
  ['Loss/Covariance loss', { kind: 'rel', delta: 0.15, floor: 0.005 }],
  ['Loss/Pred Std loss', { kind: 'rel', delta: 0.15, floor: 0.005 }],
]);

/** Whether a statistic is one of the acceptance's (its cells at `ACCEPTANCE_STEPS` decide parity). */
export const isAcceptanceStat = (stat: string): boolean => ACCEPTANCE.has(stat);

/** The same rules for the other statistics, shown with a verdict but not part of the acceptance. */
function toleranceOf(stat: string): { tolerance: Tolerance; acceptance: boolean } {
  const acceptance = ACCEPTANCE.get(stat);
  if (acceptance !== undefined) return { tolerance: acceptance, acceptance: true };
  if (/\/R2 /.test(stat)) return { tolerance: { kind: 'abs', delta: 0.03 }, acceptance: false };
  if (/\/Top-[15] /.test(stat)) return { tolerance: { kind: 'abs', delta: 0.06 }, acceptance: false };
  return { tolerance: { kind: 'rel', delta: 0.15, floor: 0.005 }, acceptance: false };
}

export type Verdict = 'inside' | 'within-delta' | 'outside';

export interface ParityCell {
  readonly stat: string;
  readonly step: number;
  readonly acceptance: boolean;
  readonly tolerance: Tolerance;
  /** Equilab: mean, min and max over its seeds of the window mean at this step. */
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  readonly seeds: readonly number[];
  /** The reference's band: min–max over its seeds. */
  readonly refMin: number;
  readonly refMax: number;
  readonly refSeeds: readonly number[];
  readonly verdict: Verdict;
}

export interface OrderingCheck {
  readonly step: number;
  /** Each value: Equilab's, the reference's, and whether they lie within `tolerance` of each other. */
  readonly values: readonly { readonly label: string; readonly stat: string; readonly equilab: number; readonly reference: number; readonly ok: boolean }[];
  readonly margins: readonly { readonly label: string; readonly equilab: number; readonly reference: number; readonly required: number; readonly ok: boolean }[];
  readonly ok: boolean;
}

export interface MethodParity {
  readonly method: string;
  readonly steps: readonly number[];
  readonly cells: readonly ParityCell[];
  /** Every acceptance cell inside its widened band. */
  readonly ok: boolean;
}

export interface ParityReport {
  readonly methods: readonly MethodParity[];
  readonly ordering: OrderingCheck | null;
  readonly ok: boolean;
}

function bounds(tolerance: Tolerance, lo: number, hi: number): [number, number] {
  if (tolerance.kind === 'abs') return [lo - tolerance.delta, hi + tolerance.delta];
  return [lo - Math.max(tolerance.delta * Math.abs(lo), tolerance.floor), hi + Math.max(tolerance.delta * Math.abs(hi), tolerance.floor)];
}

export function verdictOf(tolerance: Tolerance, value: number, lo: number, hi: number): Verdict {
  if (value >= lo && value <= hi) return 'inside';
  const [a, b] = bounds(tolerance, lo, hi);
  return value >= a && value <= b ? 'within-delta' : 'outside';
}

/** Window mean of `stat` at `step` in a curve, or undefined. */
function at(curve: Curve, stat: string, step: number): number | undefined {
  const row = curve.rows.find((r) => r.step === step);
  const value = row?.mean100[stat];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function values(curves: readonly Curve[], stat: string, step: number): { seed: number; value: number }[] {
  return curves.flatMap((c) => {
    const value = at(c, stat, step);
    return value === undefined ? [] : [{ seed: c.header.seed, value }];
  });
}

function groupByMethod(curves: readonly Curve[]): Map<string, Curve[]> {
  const groups = new Map<string, Curve[]>();
  for (const curve of curves) {
    const list = groups.get(curve.header.method) ?? [];
    list.push(curve);
    groups.set(curve.header.method, list);
  }
  return groups;
}

/**
 * Side-by-side window means of every statistic both sides have, per method (dispatched on each curve's
 * `method`), at `steps` where both sides have it: Equilab's mean over its seeds against the reference's
 * min–max band over its seeds.
 */
export function compareMethod(method: string, equilab: readonly Curve[], reference: readonly Curve[], steps: readonly number[]): MethodParity {
  const stats = new Set<string>();
  for (const curve of reference) for (const row of curve.rows) for (const key of Object.keys(row.mean100)) stats.add(key);
  const equilabStats = new Set<string>();
  for (const curve of equilab) for (const row of curve.rows) for (const key of Object.keys(row.mean100)) equilabStats.add(key);
  const cells: ParityCell[] = [];
  for (const stat of [...stats].filter((s) => equilabStats.has(s)).sort()) {
    const { tolerance, acceptance } = toleranceOf(stat);
    for (const step of steps) {
      const ours = values(equilab, stat, step);
      const theirs = values(reference, stat, step);
      if (ours.length === 0 || theirs.length === 0) continue;
      const mean = ours.reduce((s, v) => s + v.value, 0) / ours.length;
      const refMin = Math.min(...theirs.map((v) => v.value));
      const refMax = Math.max(...theirs.map((v) => v.value));
      cells.push({
        stat,
        step,
        acceptance: acceptance && ACCEPTANCE_STEPS.includes(step),
        tolerance,
        mean,
        min: Math.min(...ours.map((v) => v.value)),
        max: Math.max(...ours.map((v) => v.value)),
        seeds: ours.map((v) => v.seed),
        refMin,
        refMax,
        refSeeds: theirs.map((v) => v.seed),
        verdict: verdictOf(tolerance, mean, refMin, refMax),
      });
    }
  }
  const usedSteps = steps.filter((s) => cells.some((c) => c.step === s));
  return { method, steps: usedSteps, cells, ok: cells.filter((c) => c.acceptance).every((c) => c.verdict !== 'outside') };
}

/** The invariant part's probe of a split method: the `extra/R2 repr[0:k]` statistic. */
function invariantProbe(curves: readonly Curve[]): string | undefined {
  for (const curve of curves) {
    for (const row of curve.rows) {
      const key = Object.keys(row.mean100).find((k) => k.startsWith('extra/R2 repr[0:'));
      if (key !== undefined) return key;
    }
  }
  return undefined;
}

function mean(xs: readonly number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

/**
 * The paper's ordering at the longest common step: SIE's equivariant part ahead of VICReg by at least 0.08 and of
 * SIE's invariant part by at least 0.06 (rotation R², online probes), and each of the three values within 0.06
 * of the reference's. Null when a side has no run at that step.
 */
export function orderingCheck(equilab: ReadonlyMap<string, readonly Curve[]>, reference: ReadonlyMap<string, readonly Curve[]>, step: number): OrderingCheck | null {
  const sieOurs = equilab.get('SIE') ?? [];
  const sieRef = reference.get('SIE') ?? [];
  const vicOurs = equilab.get('VICReg') ?? [];
  const vicRef = reference.get('VICReg') ?? [];
  const inv = invariantProbe(sieRef) ?? invariantProbe(sieOurs);
  if (inv === undefined) return null;
  const spec = [
    { label: 'SIE equivariant part', stat: 'Online eval reprs/R2 representations-equi', ours: sieOurs, ref: sieRef },
    { label: 'SIE invariant part', stat: inv, ours: sieOurs, ref: sieRef },
    { label: 'VICReg', stat: 'Online eval reprs/R2 representations', ours: vicOurs, ref: vicRef },
  ];
  const resolved = spec.map((s) => ({ ...s, e: values(s.ours, s.stat, step).map((v) => v.value), r: values(s.ref, s.stat, step).map((v) => v.value) }));
  if (resolved.some((s) => s.e.length === 0 || s.r.length === 0)) return null;
  const vals = resolved.map((s) => {
    const e = mean(s.e);
    const r = mean(s.r);
    return { label: s.label, stat: s.stat, equilab: e, reference: r, ok: Math.abs(e - r) <= 0.06 };
  });
  const [equi, invariant, vicreg] = vals as [(typeof vals)[0], (typeof vals)[0], (typeof vals)[0]];
  const margins = [
    { label: 'SIE equivariant − VICReg', equilab: equi.equilab - vicreg.equilab, reference: equi.reference - vicreg.reference, required: 0.08 },
    { label: 'SIE equivariant − SIE invariant', equilab: equi.equilab - invariant.equilab, reference: equi.reference - invariant.reference, required: 0.06 },
  ].map((m) => ({ ...m, ok: m.equilab >= m.required }));
  return { step, values: vals, margins, ok: vals.every((v) => v.ok) && margins.every((m) => m.ok) };
}

export function compareCurves(equilab: readonly Curve[], reference: readonly Curve[], steps: readonly number[]): ParityReport {
  const ours = groupByMethod(equilab);
  const theirs = groupByMethod(reference);
  const methods = [...theirs.keys()].filter((m) => ours.has(m)).sort();
  const reports = methods.map((m) => compareMethod(m, ours.get(m) ?? [], theirs.get(m) ?? [], steps));
  const longest = Math.max(...steps);
  const ordering = orderingCheck(ours, theirs, longest);
  return { methods: reports, ordering, ok: reports.length > 0 && reports.every((r) => r.ok) && (ordering?.ok ?? true) };
}
