import type { SweepCompute, SweepRung } from '@equilab/contracts';
import type { Run as RunRow, RungResult as RungResultRow } from '../generated/prisma/client';

const epochsOf = (config: unknown): number => {
  const epochs = config && typeof config === 'object' ? (config as Record<string, unknown>)['epochs'] : undefined;
  return typeof epochs === 'number' ? epochs : 0;
};

/**
 * A sweep's rungs (ASHA: the results of each bracket's rungs, in the order they arrived) and its compute: the
 * run-epochs trained (a finished run: its `epochs`; otherwise the longest rung it reached, or its progress), against
 * training every configuration (each replicate) to its full `epochs`, as a grid of the same configurations would.
 */
export function sweepProgress(
  runs: readonly Pick<RunRow, 'id' | 'status' | 'config' | 'epoch' | 'bracket'>[],
  results: readonly Pick<RungResultRow, 'runId' | 'rung' | 'epochs' | 'value' | 'promoted'>[],
): { rungs: SweepRung[]; compute: SweepCompute } {
  const bracketOf = new Map(runs.map((r) => [r.id, r.bracket ?? 0]));
  const rungs = new Map<string, SweepRung>();
  const reached = new Map<string, number>();
  for (const result of results) {
    const bracket = bracketOf.get(result.runId) ?? 0;
    const key = `${bracket}:${result.rung}`;
    const rung = rungs.get(key) ?? { bracket, rung: result.rung, epochs: result.epochs, results: [] };
    rung.results.push({ runId: result.runId, value: result.value, promoted: result.promoted });
    rungs.set(key, rung);
    reached.set(result.runId, Math.max(reached.get(result.runId) ?? 0, result.epochs));
  }
  let spentEpochs = 0;
  let gridEpochs = 0;
  for (const run of runs) {
    const full = epochsOf(run.config);
    gridEpochs += full;
    spentEpochs += run.status === 'succeeded' ? full : Math.max(reached.get(run.id) ?? 0, run.status === 'queued' ? 0 : (run.epoch ?? 0));
  }
  return { rungs: [...rungs.values()].sort((a, b) => a.bracket - b.bracket || a.rung - b.rung), compute: { spentEpochs, gridEpochs } };
}
