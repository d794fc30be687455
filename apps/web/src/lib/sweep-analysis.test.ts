import { describe, expect, test } from 'vitest';
import { bestRun, correlationRatio, parameterImportance, spearman, type SweepPoint } from './sweep-analysis';

const point = (runId: string, params: Record<string, unknown>, value: number): SweepPoint => ({ runId, params, value });

describe('sweep analysis', () => {
  test('Spearman: ±1 for monotone relations, ties share their rank, null without variation', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 400])).toBeCloseTo(1);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1);
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNull();
  });

  test('correlation ratio: 1 when groups explain everything, 0 when they explain nothing', () => {
    expect(correlationRatio(['a', 'a', 'b', 'b'], [1, 1, 5, 5])).toBeCloseTo(1);
    expect(correlationRatio(['a', 'b', 'a', 'b'], [1, 1, 5, 5])).toBeCloseTo(0);
  });

  test('ranks the parameter that drives the metric first; categorical parameters get an importance, no correlation', () => {
    const points = Array.from({ length: 12 }, (_, i) => point(String(i), { lr: 10 ** (-4 + i / 4), act: i % 2 ? 'relu' : 'gelu' }, (i - 6) ** 2));
    const [first, second] = parameterImportance(points, ['act', 'lr']);
    expect(first?.param).toBe('lr');
    expect(first?.importance).toBeGreaterThan(0.5);
    expect(second).toMatchObject({ param: 'act', correlation: null, numeric: false });
    expect(second!.importance).toBeLessThan(0.2);
  });

  test('the best run: ASHA by the longest rung reached in its mode, others by the values', () => {
    const rungs = [
      { bracket: 0, rung: 0, epochs: 1, results: [{ runId: 'a', value: 0.1, promoted: true }, { runId: 'b', value: 0.5, promoted: false }] },
      { bracket: 0, rung: 1, epochs: 4, results: [{ runId: 'a', value: 0.9, promoted: false }, { runId: 'c', value: 0.3, promoted: false }] },
    ];
    const asha = { minEpochs: 1, maxEpochs: 4, eta: 4, maxRuns: 3, brackets: 1, metric: 'm', mode: 'min' as const };
    expect(bestRun({ asha, rungs }, [], true)).toEqual({ runId: 'c', value: 0.3, epochs: 4 });
    expect(bestRun({ asha: { ...asha, mode: 'max' }, rungs }, [], true)).toEqual({ runId: 'a', value: 0.9, epochs: 4 });
    expect(bestRun({ asha: null, rungs: [] }, [point('x', {}, 2), point('y', {}, 1)], true)).toEqual({ runId: 'y', value: 1 });
    expect(bestRun({ asha: null, rungs: [] }, [point('x', {}, 2), point('y', {}, 1)], false)).toEqual({ runId: 'x', value: 2 });
  });
});
