import type { ErrorIssue, SearchSpace } from '@equilab/contracts';
import { sweepStrategySchema, type SweepStrategy } from '@equilab/contracts';
import { configPathSegments } from '../config-path';
import { SweepError } from '../sweep-error';
import { gridSearcher } from './grid.searcher';
import { randomDraws, randomSearcher } from './random.searcher';
import { ashaIssues } from './asha';
import type { ParamSet, SearchRequest, Searcher } from './searcher';

export type { ParamSet, SearchRequest, Searcher } from './searcher';
export { gridSearcher } from './grid.searcher';
export { randomDraws, randomSearcher } from './random.searcher';
export { sample } from './sampling';
export * from './asha';
export * from './asha.simulation';
export * from './learning-curves';

/** `asha`: `asha.maxRuns` configurations drawn as `random` draws them; the schedule is `nextAshaJob`'s. */
export const ashaSearcher: Searcher = {
  issues({ asha, searchSpace }: SearchRequest): ErrorIssue[] {
    return ashaIssues(asha, Object.keys(searchSpace));
  },
  configurations({ searchSpace, seed, asha }: SearchRequest): ParamSet[] {
    return randomDraws(searchSpace, seed, asha?.maxRuns ?? 0);
  },
};

/** Every strategy's searcher (a strategy added to the contracts' enum must be registered here to compile). */
const searchers = new Map<SweepStrategy, Searcher>(
  Object.entries({ grid: gridSearcher, random: randomSearcher, asha: ashaSearcher } satisfies Record<SweepStrategy, Searcher>) as [SweepStrategy, Searcher][],
);

export function searcherFor(strategy: SweepStrategy): Searcher {
  const searcher = searchers.get(strategy);
  if (!searcher) throw SweepError.field('strategy', `unknown strategy "${strategy}"; expected one of ${sweepStrategySchema.options.join(', ')}`);
  return searcher;
}

/** The rules of a search space under any strategy: at least one key, keys that are config paths, ranges with min ≤ max. */
function spaceIssues(space: SearchSpace): ErrorIssue[] {
  const entries = Object.entries(space);
  if (entries.length === 0) return [{ path: 'searchSpace', message: 'must name at least one config field' }];
  const issues: ErrorIssue[] = [];
  for (const [key, param] of entries) {
    try {
      configPathSegments(key, `searchSpace.${key}`);
    } catch (error) {
      if (!(error instanceof SweepError)) throw error;
      issues.push(...error.issues);
    }
    if (param.distribution !== 'choice' && param.min > param.max) issues.push({ path: `searchSpace.${key}.max`, message: `must be ≥ min (${param.min})` });
  }
  return issues;
}

/** Everything wrong with a search request under `strategy`, each issue naming its field; empty when it can be searched. */
export function searchIssues(strategy: SweepStrategy, request: SearchRequest): ErrorIssue[] {
  const issues = spaceIssues(request.searchSpace);
  if (strategy !== 'asha' && request.asha !== undefined) issues.push({ path: 'asha', message: `asha options are for strategy "asha", not "${strategy}"` });
  return issues.length > 0 ? issues : searcherFor(strategy).issues(request);
}

/** The configurations `strategy` trains for `request`, or a SweepError naming every field at fault. */
export function searchConfigurations(strategy: SweepStrategy, request: SearchRequest): ParamSet[] {
  const issues = searchIssues(strategy, request);
  if (issues.length > 0) throw new SweepError(issues);
  return searcherFor(strategy).configurations(request);
}
