import { MAX_SWEEP_RUNS, type ErrorIssue, type SearchSpace } from '@equilab/contracts';
import type { ParamSet, SearchRequest, Searcher } from './searcher';

function gridSize(space: SearchSpace): number {
  return Object.values(space).reduce((n, p) => n * (p.distribution === 'choice' ? p.values.length : 1), 1);
}

/** Every combination of the `choice` values (the cartesian product), the first key varying slowest. */
export const gridSearcher: Searcher = {
  issues({ searchSpace }: SearchRequest): ErrorIssue[] {
    const issues: ErrorIssue[] = [];
    for (const [key, param] of Object.entries(searchSpace)) {
      if (param.distribution !== 'choice')
        issues.push({ path: `searchSpace.${key}.distribution`, message: `grid sweeps take only "choice" (got "${param.distribution}"); use strategy "random"` });
    }
    const total = gridSize(searchSpace);
    if (issues.length === 0 && total > MAX_SWEEP_RUNS) issues.push({ path: 'searchSpace', message: `the grid has ${total} points; at most ${MAX_SWEEP_RUNS}` });
    return issues;
  },

  configurations({ searchSpace }: SearchRequest): ParamSet[] {
    let combos: Record<string, unknown>[] = [{}];
    for (const [key, param] of Object.entries(searchSpace)) {
      const values = param.distribution === 'choice' ? param.values : [];
      combos = combos.flatMap((combo) => values.map((value) => ({ ...combo, [key]: value })));
    }
    return combos;
  },
};
