/**
 * Tick labels of a chart axis: one format for every tick of an axis, chosen from the ticks' range (defect 5 of
 * issue #16: "0.0015" next to "5.000e-4" on one axis, clipped ".000e-4"). Fixed notation with as many decimals as the
 * tick spacing needs, or, when the ticks are very small or very large, scientific notation with the same mantissa
 * digits on every tick. uPlot's default (`fmtNum`) uses the locale's grouping and a per-tick format.
 */

/** Ticks at or beyond these magnitudes switch the whole axis to scientific notation. */
const SCIENTIFIC_BELOW = 1e-3;
const SCIENTIFIC_AT = 1e5;

/** Decimals needed to tell apart ticks `increment` apart (0.25 → 2, 5 → 0), at most 12. */
function decimalsFor(increment: number): number {
  if (!(increment > 0) || !Number.isFinite(increment)) return 0;
  for (let d = 0; d <= 12; d += 1) {
    const scaled = increment * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-6 * Math.max(1, scaled)) return d;
  }
  return 12;
}

/** The smallest positive gap between consecutive finite ticks (0 with fewer than two). */
function tickIncrement(ticks: readonly number[]): number {
  let increment = Number.POSITIVE_INFINITY;
  for (let i = 1; i < ticks.length; i += 1) {
    const gap = Math.abs((ticks[i] ?? 0) - (ticks[i - 1] ?? 0));
    if (gap > 0 && gap < increment) increment = gap;
  }
  return Number.isFinite(increment) ? increment : 0;
}

/** Labels of `ticks` (null = no label), all in one notation; `-0` is printed as `0`. */
export function formatAxisTicks(ticks: readonly (number | null)[]): string[] {
  const finite = ticks.filter((t): t is number => t !== null && Number.isFinite(t));
  if (finite.length === 0) return ticks.map(() => '');
  const maxAbs = Math.max(...finite.map(Math.abs));
  const increment = tickIncrement(finite);
  const nonZero = finite.filter((t) => t !== 0).map(Math.abs);
  const minAbs = nonZero.length > 0 ? Math.min(...nonZero) : 0;
  const scientific = maxAbs >= SCIENTIFIC_AT || (maxAbs > 0 && maxAbs < SCIENTIFIC_BELOW) || (minAbs > 0 && minAbs < SCIENTIFIC_BELOW && increment < SCIENTIFIC_BELOW);
  let format: (v: number) => string;
  if (scientific) {
    // Mantissa digits: enough to tell the ticks apart at the largest tick's exponent.
    const exponent = maxAbs > 0 ? Math.floor(Math.log10(maxAbs)) : 0;
    const digits = Math.min(6, decimalsFor(increment > 0 ? Number((increment / 10 ** exponent).toPrecision(6)) : 1));
    format = (v) => (v === 0 ? '0' : v.toExponential(digits));
  } else {
    const decimals = decimalsFor(Number(increment.toPrecision(6)));
    format = (v) => v.toFixed(decimals);
  }
  return ticks.map((t) => {
    if (t === null || !Number.isFinite(t)) return '';
    const label = format(t);
    return /^-0(\.0*)?$/.test(label) ? label.slice(1) : label;
  });
}

/** Width in CSS pixels an axis needs for `labels` (measured with `measure`), plus the tick length and gap. */
export function axisSizeFor(labels: readonly string[], measure: (text: string) => number, extra: number): number {
  const widest = labels.reduce((w, label) => Math.max(w, label ? measure(label) : 0), 0);
  return Math.ceil(widest + extra);
}
