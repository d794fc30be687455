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
    return randomDraws(searchSpace, seed, count ?? 0);
  },
};

/** `count` configurations, every parameter drawn independently from a generator seeded with `seed`. */
export function randomDraws(searchSpace: SearchRequest['searchSpace'], seed: number, count: number): ParamSet[] {
  const u = mulberry32(seed);
  const entries = Object.entries(searchSpace);
  return Array.from({ length: count }, () => Object.fromEntries(entries.map(([key, param]) => [key, sample(param, u)])));
}
