import { mulberry32 } from '@equilab/random';
import type { SimulatedCurve } from './asha.simulation';

/**
 * A deterministic family of learning curves over `count` configurations with a known best (for the searcher's
 * tests and `npm run bench`): configuration i has x_i = log10 lr_i drawn uniformly in [−4, −1] (seeded), a final
 * loss 0.2 + 0.5·(x_i + 2.3)² (best lr 10^−2.3) and a power-law approach to it,
 * loss(e) = final_i + c_i/√e with c_i = 1 − crossing·(x_i + 2.5): larger learning rates look better early, so
 * curves cross (crossing 0: they never do).
 */
export function crossingCurves(count: number, seed = 1, crossing = 0.2): { curve: SimulatedCurve; lrs: number[]; finals: number[]; best: number } {
  const u = mulberry32(seed);
  const xs = Array.from({ length: count }, () => -4 + 3 * u());
  const finals = xs.map((x) => 0.2 + 0.5 * (x + 2.3) ** 2);
  const scales = xs.map((x) => 1 - crossing * (x + 2.5));
  const curve: SimulatedCurve = (i, epochs) => finals[i]! + scales[i]! / Math.sqrt(epochs);
  return { curve, lrs: xs.map((x) => 10 ** x), finals, best: finals.indexOf(Math.min(...finals)) };
}
