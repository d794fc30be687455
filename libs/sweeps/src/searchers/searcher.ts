import type { AshaOptions, ErrorIssue, SearchSpace } from '@equilab/contracts';

/** One configuration to train: the value of every varied config path (and `method` when the space varies it). */
export type ParamSet = Readonly<Record<string, unknown>>;

/** What a searcher reads of a sweep request. Searchers with options of their own extend it. */
export interface SearchRequest {
  readonly searchSpace: SearchSpace;
  /** Seeds the searcher's draws (same seed, same configurations). */
  readonly seed: number;
  /** Configurations to draw, for searchers that sample. */
  readonly count?: number | undefined;
  /** Options of the `asha` searcher. */
  readonly asha?: AshaOptions | undefined;
}

/**
 * A search strategy (`strategy` of a sweep). `issues` says what the strategy cannot search, each issue naming its
 * request field; `configurations` lists the configurations to train, in order, for a request without issues.
 * An adaptive searcher (one that stops or promotes runs by their results) proposes its configurations here too
 * and adds its decisions beside them.
 */
export interface Searcher {
  issues(request: SearchRequest): ErrorIssue[];
  configurations(request: SearchRequest): ParamSet[];
}
