import type { AshaOptions, ErrorIssue } from '@equilab/contracts';

/**
 * Adaptive asynchronous successive halving (ASHA; Li et al., "A System for Massively Parallel Hyperparameter
 * Tuning", MLSys 2020, Algorithm 2) with Determined-style adaptive brackets, as pure functions of the sweep's
 * state, so that the API decides from PostgreSQL rows and tests decide from simulated learning curves.
 *
 * - Rungs: `minEpochs·η^k` epochs for k = 0, 1, … while below `maxEpochs`, then `maxEpochs` itself.
 * - Bracket s (0 … brackets−1) has early-stopping rate s: its configurations start at rung s of that ladder
 *   (bracket 0 is the most aggressive; the last bracket of `rungs` brackets trains everything to the end).
 *   Configurations are split between brackets as Determined's adaptive ASHA splits `max_trials`
 *   (`ashaBracketSizes`: about the same run-epochs per bracket), interleaved in proportion (`ashaBracketOf`).
 * - A free slot asks `nextAshaJob`: the highest rung of any bracket that has a promotable trial gives it the
 *   slot (a trial among the top ⌊n/η⌋ of the n results at its rung, not yet promoted, paused there); else the
 *   next untried configuration starts at its bracket's first rung. No rung waits for stragglers.
 * - When nothing can be started or promoted and nothing trains, the paused trials are final: `ashaStops`.
 */

/** The epoch budget of every rung of bracket 0 (`ashaRungs(o)`), or of bracket `bracket`. */
export function ashaRungs(options: Pick<AshaOptions, 'minEpochs' | 'maxEpochs' | 'eta'>, bracket = 0): number[] {
  const rungs: number[] = [];
  for (let epochs = options.minEpochs; epochs < options.maxEpochs; epochs *= options.eta) rungs.push(epochs);
  rungs.push(options.maxEpochs);
  return rungs.slice(bracket);
}

/**
 * How many of the `maxRuns` configurations each bracket tries, as Determined's adaptive ASHA allocates its
 * `max_trials` (master/pkg/searcher/adaptive_asha.go, getBracketMaxTrials): a bracket of n rungs weighs η^(n−1)/n —
 * it evaluates η^(n−1) configurations for about n full trainings — so that every bracket gets about the same
 * run-epochs; each gets ⌊weight share · maxRuns⌋ but at least one, and the remainder goes to bracket 0 (the most
 * aggressive, which Determined also favours). Needs brackets ≤ maxRuns (`ashaIssues` says so).
 */
export function ashaBracketSizes(options: Pick<AshaOptions, 'minEpochs' | 'maxEpochs' | 'eta' | 'maxRuns' | 'brackets'>): number[] {
  const rungs = ashaRungs(options).length;
  const weights = Array.from({ length: options.brackets }, (_, s) => options.eta ** (rungs - s - 1) / (rungs - s));
  const total = weights.reduce((a, b) => a + b, 0);
  const sizes = weights.map((w) => Math.max(1, Math.floor((w / total) * options.maxRuns)));
  sizes[0]! += Math.max(0, options.maxRuns - sizes.reduce((a, b) => a + b, 0));
  return sizes;
}

/**
 * The bracket of every configuration index 0 … maxRuns−1: the brackets' shares (`ashaBracketSizes`) interleaved by
 * smooth weighted round robin, so the first configurations already cover every bracket in proportion and bracket s
 * gets exactly its share. Deterministic: the API stores it on each run at sweep creation.
 */
export function ashaBracketOf(options: Pick<AshaOptions, 'minEpochs' | 'maxEpochs' | 'eta' | 'maxRuns' | 'brackets'>): number[] {
  const sizes = ashaBracketSizes(options);
  const total = sizes.reduce((a, b) => a + b, 0);
  const credit = sizes.map(() => 0);
  const order: number[] = [];
  for (let i = 0; i < total; i++) {
    let pick = 0;
    for (let s = 0; s < sizes.length; s++) {
      credit[s]! += sizes[s]!;
      if (credit[s]! > credit[pick]!) pick = s;
    }
    credit[pick]! -= total;
    order.push(pick);
  }
  return order;
}

/** What the ASHA options cannot do, each issue naming its request field (`asha.brackets`, `searchSpace.epochs`). */
export function ashaIssues(options: AshaOptions | undefined, varied: readonly string[]): ErrorIssue[] {
  if (options === undefined) return [{ path: 'asha', message: 'asha sweeps need asha options (minEpochs, maxEpochs, maxRuns, metric, mode)' }];
  const issues: ErrorIssue[] = [];
  if (options.maxEpochs < options.minEpochs) issues.push({ path: 'asha.maxEpochs', message: `must be ≥ minEpochs (${options.minEpochs})` });
  const rungs = ashaRungs(options).length;
  if (options.brackets > rungs) issues.push({ path: 'asha.brackets', message: `at most the number of rungs (${rungs} for epochs ${options.minEpochs}…${options.maxEpochs}, η ${options.eta})` });
  if (options.brackets > options.maxRuns) issues.push({ path: 'asha.brackets', message: `at most maxRuns (${options.maxRuns}): every bracket tries at least one configuration` });
  if (varied.includes('epochs')) issues.push({ path: 'searchSpace.epochs', message: 'asha sets every run’s epochs (asha.maxEpochs); it may not be varied' });
  return issues;
}

/** One configuration ASHA tries (with replicates: all of its runs together). */
export interface AshaTrial {
  readonly id: string;
  /** Start order of untried configurations. */
  readonly index: number;
  readonly bracket: number;
  /**
   * `pending`: not started; `active`: training toward rung `rung` (queued or running); `paused`: reached rung
   * `rung` and waits for a decision; `done`: finished the last rung, failed, canceled or stopped.
   */
  readonly state: 'pending' | 'active' | 'paused' | 'done';
  /** Index of the rung (in its bracket's ladder) it trains toward or has reached. */
  readonly rung: number;
}

/** The metric a trial reached at a rung (null: none logged; ranks last) and whether it was promoted from there. */
export interface AshaResult {
  readonly trialId: string;
  readonly bracket: number;
  readonly rung: number;
  readonly value: number | null;
  readonly promoted: boolean;
}

export type AshaDecision =
  | { readonly kind: 'promote'; readonly trialId: string; readonly bracket: number; readonly fromRung: number; readonly toRung: number; readonly epochs: number }
  | { readonly kind: 'start'; readonly trialId: string; readonly bracket: number; readonly toRung: 0; readonly epochs: number };

type RankOptions = Pick<AshaOptions, 'eta' | 'mode'>;

/** Best first; null values last; ties by trial id (deterministic). */
export function rankResults<T extends Pick<AshaResult, 'value' | 'trialId'>>(results: readonly T[], mode: AshaOptions['mode']): T[] {
  const key = (v: number | null) => (v === null || Number.isNaN(v) ? Infinity : mode === 'min' ? v : -v);
  return [...results].sort((a, b) => key(a.value) - key(b.value) || (a.trialId < b.trialId ? -1 : a.trialId > b.trialId ? 1 : 0));
}

/** Trials of `rung` results that the paper's rule promotes: the top ⌊n/η⌋ of the n results, not yet promoted. */
export function promotable(results: readonly AshaResult[], options: RankOptions): AshaResult[] {
  const top = rankResults(results, options.mode).slice(0, Math.floor(results.length / options.eta));
  return top.filter((r) => !r.promoted && r.value !== null);
}

/** The job a free slot gets (a promotion first, else a new configuration), or null when there is none. */
export function nextAshaJob(options: AshaOptions, trials: readonly AshaTrial[], results: readonly AshaResult[]): AshaDecision | null {
  const byId = new Map(trials.map((t) => [t.id, t]));
  const candidates: AshaDecision[] = [];
  for (let bracket = 0; bracket < options.brackets; bracket++) {
    const ladder = ashaRungs(options, bracket);
    for (let rung = ladder.length - 2; rung >= 0; rung--) {
      const atRung = results.filter((r) => r.bracket === bracket && r.rung === rung);
      const up = promotable(atRung, options).find((r) => {
        const trial = byId.get(r.trialId);
        return trial?.state === 'paused' && trial.rung === rung;
      });
      if (up) {
        candidates.push({ kind: 'promote', trialId: up.trialId, bracket, fromRung: rung, toRung: rung + 1, epochs: ladder[rung + 1]! });
        break;
      }
    }
  }
  // The longest next rung first (the paper's "highest rung first", across brackets); ties: the lower bracket.
  candidates.sort((a, b) => b.epochs - a.epochs || a.bracket - b.bracket);
  if (candidates[0]) return candidates[0];
  const next = trials.filter((t) => t.state === 'pending').sort((a, b) => a.index - b.index)[0];
  if (!next) return null;
  return { kind: 'start', trialId: next.id, bracket: next.bracket, toRung: 0, epochs: ashaRungs(options, next.bracket)[0]! };
}

/** The paused trials to end `stopped`: all of them once nothing trains and no slot could get a job; else none. */
export function ashaStops(options: AshaOptions, trials: readonly AshaTrial[], results: readonly AshaResult[]): string[] {
  if (trials.some((t) => t.state === 'active')) return [];
  if (nextAshaJob(options, trials, results) !== null) return [];
  return trials.filter((t) => t.state === 'paused').map((t) => t.id);
}

/** The best trial so far: the best value at the longest rung any trial reached (null before any result). */
export function ashaBest(options: AshaOptions, results: readonly AshaResult[]): (AshaResult & { epochs: number }) | null {
  const withEpochs = results.filter((r) => r.value !== null).map((r) => ({ ...r, epochs: ashaRungs(options, r.bracket)[r.rung]! }));
  if (withEpochs.length === 0) return null;
  const longest = Math.max(...withEpochs.map((r) => r.epochs));
  return rankResults(withEpochs.filter((r) => r.epochs === longest), options.mode)[0] ?? null;
}
