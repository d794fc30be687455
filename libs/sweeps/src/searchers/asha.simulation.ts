import type { AshaOptions } from '@equilab/contracts';
import { ashaBest, ashaBracketOf, ashaRungs, ashaStops, nextAshaJob, type AshaDecision, type AshaResult, type AshaTrial } from './asha';

/** The metric configuration `trial` (0 … maxRuns−1) reaches after `epochs` epochs: a deterministic learning curve. */
export type SimulatedCurve = (trial: number, epochs: number) => number;

export interface AshaSimulation {
  /** Every decision, in order. */
  readonly decisions: readonly AshaDecision[];
  readonly results: readonly AshaResult[];
  /** Run-epochs trained; a full grid trains every configuration to maxEpochs. */
  readonly spentEpochs: number;
  readonly gridEpochs: number;
  /** Trials that ended stopped (paused, never promoted). */
  readonly stopped: readonly string[];
  readonly best: ReturnType<typeof ashaBest>;
  /** Most trials training at once. */
  readonly peakBusy: number;
  /** Each decision with the results known when it was made. */
  readonly trace: readonly { readonly decision: AshaDecision; readonly known: readonly AshaResult[] }[];
}

/**
 * Runs ASHA on `workers` simulated slots against `curve`: a job of e epochs takes e time units; whenever a slot is
 * free it asks `nextAshaJob` (so no rung waits for stragglers); a finished job reports curve(trial, rung epochs).
 * Trials are named by their index ("0", "1", …). Ties in finishing time: the slot that started first.
 */
export function simulateAsha(options: AshaOptions, curve: SimulatedCurve, workers: number): AshaSimulation {
  const trials = new Map<string, AshaTrial>();
  const brackets = ashaBracketOf(options);
  for (let i = 0; i < options.maxRuns; i++) trials.set(String(i), { id: String(i), index: i, bracket: brackets[i] ?? 0, state: 'pending', rung: 0 });
  const results: AshaResult[] = [];
  const decisions: AshaDecision[] = [];
  const trace: { decision: AshaDecision; known: AshaResult[] }[] = [];
  const busy: { trialId: string; rung: number; epochs: number; finishAt: number; order: number }[] = [];
  let now = 0;
  let spentEpochs = 0;
  let order = 0;
  let peakBusy = 0;
  for (;;) {
    while (busy.length < workers) {
      const decision = nextAshaJob(options, [...trials.values()], results);
      if (!decision) break;
      decisions.push(decision);
      trace.push({ decision, known: [...results] });
      const trial = trials.get(decision.trialId)!;
      const ladder = ashaRungs(options, trial.bracket);
      const from = decision.kind === 'promote' ? ladder[decision.fromRung]! : 0;
      if (decision.kind === 'promote') {
        const i = results.findIndex((r) => r.trialId === decision.trialId && r.rung === decision.fromRung);
        results[i] = { ...results[i]!, promoted: true };
      }
      trials.set(trial.id, { ...trial, state: 'active', rung: decision.toRung });
      busy.push({ trialId: trial.id, rung: decision.toRung, epochs: decision.epochs, finishAt: now + decision.epochs - from, order: order++ });
      spentEpochs += decision.epochs - from;
    }
    peakBusy = Math.max(peakBusy, busy.length);
    if (busy.length === 0) break;
    busy.sort((a, b) => a.finishAt - b.finishAt || a.order - b.order);
    const job = busy.shift()!;
    now = job.finishAt;
    const trial = trials.get(job.trialId)!;
    const last = job.rung === ashaRungs(options, trial.bracket).length - 1;
    results.push({ trialId: trial.id, bracket: trial.bracket, rung: job.rung, value: curve(trial.index, job.epochs), promoted: false });
    trials.set(trial.id, { ...trial, state: last ? 'done' : 'paused' });
  }
  const stopped = ashaStops(options, [...trials.values()], results);
  return { decisions, results, spentEpochs, gridEpochs: options.maxRuns * options.maxEpochs, stopped, best: ashaBest(options, results), peakBusy, trace };
}
