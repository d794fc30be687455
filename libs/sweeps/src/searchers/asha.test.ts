import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AshaOptions } from '@equilab/contracts';
import { ashaBest, ashaBracketOf, ashaBracketSizes, ashaIssues, ashaRungs, ashaStops, nextAshaJob, promotable, type AshaResult, type AshaTrial } from './asha';
import { simulateAsha } from './asha.simulation';
import { crossingCurves } from './learning-curves';

const options = (patch: Partial<AshaOptions> = {}): AshaOptions => ({ minEpochs: 1, maxEpochs: 16, eta: 4, maxRuns: 16, brackets: 1, metric: 'Loss/Total', mode: 'min', ...patch });
const trial = (id: string, patch: Partial<AshaTrial> = {}): AshaTrial => ({ id, index: Number(id), bracket: 0, state: 'pending', rung: 0, ...patch });
const result = (trialId: string, rung: number, value: number | null, promoted = false): AshaResult => ({ trialId, bracket: 0, rung, value, promoted });

void describe('ASHA (Li et al., MLSys 2020)', () => {
  void it('rungs grow by η from minEpochs and end at maxEpochs; bracket s skips the first s rungs', () => {
    assert.deepEqual(ashaRungs({ minEpochs: 1, maxEpochs: 16, eta: 4 }), [1, 4, 16]);
    assert.deepEqual(ashaRungs({ minEpochs: 1, maxEpochs: 10, eta: 4 }), [1, 4, 10]);
    assert.deepEqual(ashaRungs({ minEpochs: 2, maxEpochs: 8, eta: 2 }), [2, 4, 8]);
    assert.deepEqual(ashaRungs({ minEpochs: 3, maxEpochs: 3, eta: 2 }), [3]);
    assert.deepEqual(ashaRungs({ minEpochs: 1, maxEpochs: 16, eta: 4 }, 1), [4, 16]);
  });

  void it('promotes the top ⌊n/η⌋ of a rung, best first by mode, never twice, never a run without a value', () => {
    const rung0 = ['5', '1', '7', '3', '2', '6', '4', '8'].map((id) => result(id, 0, Number(id)));
    assert.deepEqual(promotable(rung0, { eta: 4, mode: 'min' }).map((r) => r.trialId), ['1', '2']);
    assert.deepEqual(promotable(rung0, { eta: 4, mode: 'max' }).map((r) => r.trialId), ['8', '7']);
    assert.deepEqual(promotable(rung0.slice(0, 3), { eta: 4, mode: 'min' }), [], 'fewer than η results: nobody yet');
    const once = rung0.map((r) => (r.trialId === '1' ? { ...r, promoted: true } : r));
    assert.deepEqual(promotable(once, { eta: 4, mode: 'min' }).map((r) => r.trialId), ['2']);
    const nulls = [result('a', 0, null), result('b', 0, null), result('c', 0, 3), result('d', 0, null)];
    assert.deepEqual(promotable(nulls, { eta: 2, mode: 'min' }).map((r) => r.trialId), ['c'], 'a missing metric ranks last');
  });

  void it('a free slot goes to a promotable run first (highest rung first), else to a new configuration', () => {
    const o = options({ eta: 2, maxEpochs: 4 });
    const trials = [trial('0', { state: 'paused' }), trial('1', { state: 'paused' }), trial('2', { state: 'paused', rung: 1 }), trial('3', { state: 'paused', rung: 1 }), trial('4')];
    const results = [result('0', 0, 1), result('1', 0, 2), result('2', 0, 0.5, true), result('3', 0, 0.6, true), result('2', 1, 0.4), result('3', 1, 0.3)];
    assert.deepEqual(nextAshaJob(o, trials, results), { kind: 'promote', trialId: '3', bracket: 0, fromRung: 1, toRung: 2, epochs: 4 });
    const afterTop = results.map((r) => (r.trialId === '3' && r.rung === 1 ? { ...r, promoted: true } : r));
    const moved = trials.map((t) => (t.id === '3' ? { ...t, state: 'active' as const, rung: 2 } : t));
    // rung 1: n = 2 → top 1 (trial 3) already promoted; rung 0: n = 4 → top 2 (trials 2, 3) promoted: a new one.
    assert.deepEqual(nextAshaJob(o, moved, afterTop), { kind: 'start', trialId: '4', bracket: 0, toRung: 0, epochs: 1 });
    const none = moved.map((t) => (t.id === '4' ? { ...t, state: 'done' as const } : t));
    assert.equal(nextAshaJob(o, none, afterTop), null);
    assert.deepEqual(ashaStops(o, none, afterTop), [], 'a trial still trains: nothing is final yet');
    const finished = none.map((t) => (t.id === '3' ? { ...t, state: 'done' as const } : t));
    assert.deepEqual(ashaStops(o, finished, afterTop), ['0', '1', '2']);
  });

  void it('on one slot, follows the paper step by step: a promotion as soon as a rung holds η results', () => {
    // Quality = trial index (lower is better); 8 configurations, η = 2, rungs 1, 2, 4 epochs.
    const sim = simulateAsha(options({ eta: 2, maxEpochs: 4, maxRuns: 8 }), (i, e) => i + 1 / e, 1);
    const steps = sim.decisions.map((d) => (d.kind === 'start' ? `s${d.trialId}` : `p${d.trialId}:${d.toRung}`));
    // rung 0 holds 2 results → top 1 (0) up; 4 → top 2 (0, 1); rung 1 holds 2 (0, 1) → 0 up to the top rung first;
    // 6 at rung 0 → 2 up; 8 → 3 up; rung 1 then holds 4 → top 2 (0, 1): 1 goes to the top rung.
    assert.deepEqual(steps, ['s0', 's1', 'p0:1', 's2', 's3', 'p1:1', 'p0:2', 's4', 's5', 'p2:1', 's6', 's7', 'p3:1', 'p1:2']);
    assert.deepEqual(sim.stopped, ['2', '3', '4', '5', '6', '7']);
    assert.deepEqual(sim.best, { trialId: '0', bracket: 0, rung: 2, value: 0.25, promoted: false, epochs: 4 });
  });

  void it('every promotion satisfies the rule on the results known at that moment; slots never idle while there is work', () => {
    const { curve } = crossingCurves(64, 7);
    const o = options({ minEpochs: 1, maxEpochs: 64, eta: 4, maxRuns: 64 });
    const sim = simulateAsha(o, curve, 4);
    assert.equal(sim.peakBusy, 4);
    // Replay: before each decision, the results that had arrived are a prefix of `sim.results`.
    let promotions = 0;
    for (const entry of sim.trace) {
      if (entry.decision.kind !== 'promote') continue;
      promotions += 1;
      const atRung = entry.known.filter((r) => r.rung === (entry.decision as { fromRung: number }).fromRung);
      const top = [...atRung].sort((a, b) => (a.value ?? Infinity) - (b.value ?? Infinity)).slice(0, Math.floor(atRung.length / o.eta));
      assert.ok(top.some((r) => r.trialId === entry.decision.trialId), `promotion of ${entry.decision.trialId} from rung ${String((entry.decision as { fromRung: number }).fromRung)}`);
    }
    assert.ok(promotions > 0);
    const firstPromotion = sim.decisions.findIndex((d) => d.kind === 'promote');
    const starts = sim.decisions.filter((d) => d.kind === 'start').length;
    assert.ok(firstPromotion < starts, 'asynchronous: a promotion before every configuration has reported its first rung');
    assert.equal(starts, 64);
    const final = sim.results.filter((r) => r.rung === 3);
    assert.ok(final.length >= 1);
    assert.equal(sim.stopped.length + final.length, 64, 'every configuration either finished or was stopped');
  });

  void it('brackets: Determined’s split of the configurations (equal run-epochs per bracket), interleaved; bracket s starts at rung s and promotes within itself', () => {
    const { curve } = crossingCurves(12, 3);
    const o = options({ minEpochs: 1, maxEpochs: 16, eta: 4, maxRuns: 12, brackets: 3 });
    // Rungs 1, 4, 16: weights 4²/3, 4/2, 1/1 → ⌊12·w/Σw⌋ = 7, 2, 1, the remainder 2 to bracket 0.
    assert.deepEqual(ashaBracketSizes(o), [9, 2, 1]);
    const order = ashaBracketOf(o);
    assert.deepEqual(order, [0, 0, 1, 0, 0, 0, 2, 0, 0, 1, 0, 0]);
    assert.deepEqual([0, 1, 2].map((b) => order.filter((x) => x === b).length), [9, 2, 1]);
    const sim = simulateAsha(o, curve, 3);
    const starts = sim.decisions.filter((d) => d.kind === 'start');
    assert.deepEqual(starts.slice(0, 3).map((d) => [d.bracket, d.epochs]), [[0, 1], [0, 1], [1, 4]]);
    assert.ok(sim.decisions.every((d) => d.kind === 'start' || d.epochs === ashaRungs(o, d.bracket)[d.toRung]));
    assert.equal(sim.results.filter((r) => r.bracket === 2).length, 1, 'the last bracket trains its one configuration to the end');
    assert.ok(sim.results.filter((r) => r.bracket === 2).every((r) => r.rung === 0));
    assert.equal(new Set(sim.results.filter((r) => r.bracket === 1).map((r) => r.trialId)).size, 2);
  });

  void it('bracket shares: at least one configuration each, all maxRuns allocated; more brackets than maxRuns is refused', () => {
    for (const [maxRuns, brackets] of [[3, 3], [5, 2], [64, 4], [100, 3]] as const) {
      const o = options({ minEpochs: 1, maxEpochs: 64, eta: 2, maxRuns, brackets });
      const sizes = ashaBracketSizes(o);
      assert.equal(sizes.reduce((a, b) => a + b, 0), maxRuns);
      assert.ok(sizes.every((n) => n >= 1));
      assert.ok(sizes.every((n, s) => s === 0 || n <= sizes[s - 1]!), `more aggressive brackets try more: ${sizes.join(',')}`);
      assert.equal(ashaBracketOf(o).length, maxRuns);
    }
    assert.deepEqual(
      ashaIssues(options({ maxRuns: 2, brackets: 3 }), []).map((i) => i.path),
      ['asha.brackets'],
    );
  });

  void it('finds the best of 64 crossing curves for under 30 % of the grid’s compute', () => {
    const { curve, best } = crossingCurves(64, 1);
    const sim = simulateAsha(options({ minEpochs: 1, maxEpochs: 64, eta: 4, maxRuns: 64 }), curve, 4);
    assert.equal(sim.best?.trialId, String(best));
    assert.ok(sim.spentEpochs / sim.gridEpochs <= 0.3, `${sim.spentEpochs} of ${sim.gridEpochs}`);
    assert.deepEqual(ashaBest(options(), []), null);
  });
});
