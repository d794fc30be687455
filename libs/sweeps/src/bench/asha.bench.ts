/**
 * `npm run bench -w @equilab/sweeps` (and `npm run bench`): ASHA on simulated learning curves with a known best
 * configuration (`crossingCurves`: 64 configurations, curves that cross), against training the same configurations
 * as a full grid. Reports the fraction of the grid's run-epochs ASHA spent and whether its best run is the best
 * configuration, per η and curve seed. Pure computation (no timing): the numbers are the same on any machine.
 * The last stdout line is one JSON object.
 */
import type { AshaOptions } from '@equilab/contracts';
import { crossingCurves, simulateAsha } from '../searchers';

const SEEDS = [1, 2, 3, 4, 5];
const WORKERS = 4;
const base: Omit<AshaOptions, 'eta'> = { minEpochs: 1, maxEpochs: 64, maxRuns: 64, brackets: 1, metric: 'loss', mode: 'min' };

const cases = [2, 4].flatMap((eta) =>
  SEEDS.map((seed) => {
    const { curve, best, finals } = crossingCurves(base.maxRuns, seed);
    const sim = simulateAsha({ ...base, eta }, curve, WORKERS);
    const found = sim.best?.trialId === String(best);
    const picked = sim.best ? finals[Number(sim.best.trialId)]! : NaN;
    return { eta, seed, computeFraction: Number((sim.spentEpochs / sim.gridEpochs).toFixed(4)), spentEpochs: sim.spentEpochs, gridEpochs: sim.gridEpochs, bestFound: found, regret: Number((picked - finals[best]!).toFixed(5)) };
  }),
);
const summary = (eta: number) => {
  const own = cases.filter((c) => c.eta === eta);
  return {
    eta,
    meanComputeFraction: Number((own.reduce((s, c) => s + c.computeFraction, 0) / own.length).toFixed(4)),
    maxComputeFraction: Math.max(...own.map((c) => c.computeFraction)),
    bestFound: `${own.filter((c) => c.bestFound).length}/${own.length}`,
  };
};
process.stderr.write(`${JSON.stringify(cases, null, 1)}\n`);
console.log(
  JSON.stringify({
    asha: {
      objective: 'crossingCurves: 64 configurations, x = log10 lr ~ U[-4,-1], loss(e) = 0.2 + 0.5(x+2.3)^2 + (1 - 0.2(x+2.5))/sqrt(e)',
      minEpochs: base.minEpochs,
      maxEpochs: base.maxEpochs,
      workers: WORKERS,
      target: 'computeFraction <= 0.30 and best found',
      summary: [summary(2), summary(4)],
      cases,
    },
  }),
);
