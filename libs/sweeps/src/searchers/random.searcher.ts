import type { ErrorIssue } from '@equilab/contracts';
import { mulberry32 } from '@equilab/random';
import { sample } from './sampling';
import type { ParamSet, SearchRequest, Searcher } from './searcher';

/** `count` independent draws of every parameter from a generator seeded with the sweep's seed. */
export const randomSearcher: Searcher = {
  issues({ count }: SearchRequest): ErrorIssue[] {
    return count === undefined ? [{ path: 'count', message: 'random sweeps need a count' }] : [];
  },

  configurations({ searchSpace, seed, count }: SearchRequest): ParamSet[] {
    const u = mulberry32(seed);
    const entries = Object.entries(searchSpace);
    return Array.from({ length: count ?? 0 }, () => Object.fromEntries(entries.map(([key, param]) => [key, sample(param, u)])));
  },
};
