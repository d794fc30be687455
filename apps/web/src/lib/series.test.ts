import { describe, expect, test } from 'vitest';
import { mergeLoaded, mergePoints, smoothEma } from './series';

const point = (step: number, value: number) => ({ key: 'Loss/total', step, value, time: 1000 + step });

describe('mergePoints', () => {
  test('appends points after the last step', () => {
    const series = [point(0, 1), point(1, 2)].map(({ step, value, time }) => ({ step, value, time }));
    expect(mergePoints(series, [point(3, 4), point(2, 3)]).map((p) => p.step)).toEqual([0, 1, 2, 3]);
  });
  test('replaces a point at an existing step and keeps the series sorted', () => {
    const series = [point(0, 1), point(2, 3)].map(({ step, value, time }) => ({ step, value, time }));
    const merged = mergePoints(series, [point(2, 30), point(1, 20)]);
    expect(merged.map((p) => [p.step, p.value])).toEqual([
      [0, 1],
      [1, 20],
      [2, 30],
    ]);
  });
  test('returns the same series when nothing arrives', () => {
    const series = [{ step: 0, value: 1, time: 0 }];
    expect(mergePoints(series, [])).toBe(series);
  });
});

describe('smoothEma', () => {
  test('weight 0 leaves the values unchanged', () => {
    expect(smoothEma([1, 5, 3], 0)).toEqual([1, 5, 3]);
  });
  test('is debiased: a constant series stays constant', () => {
    for (const value of smoothEma([2, 2, 2, 2], 0.9)) expect(value).toBeCloseTo(2, 12);
  });
  test('lags behind a step change', () => {
    const [first, second] = smoothEma([0, 10], 0.5);
    expect(first).toBe(0);
    expect(second).toBeCloseTo(10 * (0.5 / 0.75), 12);
  });
  test('passes non-finite values through without poisoning later values', () => {
    const out = smoothEma([1, Number.NaN, 1], 0.5);
    expect(out[1]).toBeNaN();
    expect(out[2]).toBeCloseTo(1, 12);
  });
});

describe('mergeLoaded', () => {
  const pts = (steps: number[], value = 0) => steps.map((step) => ({ step, value, time: step }));
  test('a whole-range load replaces what it covers and keeps live points after its last step', () => {
    const merged = mergeLoaded(pts([0, 5, 9, 10, 11], 1), pts([0, 3, 6, 9], 2), null);
    expect(merged.map((p) => [p.step, p.value])).toEqual([
      [0, 2],
      [3, 2],
      [6, 2],
      [9, 2],
      [10, 1],
      [11, 1],
    ]);
  });
  test('a zoom’s load replaces its window only; zooming out does not keep the dense points', () => {
    const zoomed = mergeLoaded(pts([0, 10, 20, 30], 1), pts([10, 11, 12, 13, 14, 15], 2), { fromStep: 10, toStep: 15 });
    expect(zoomed.map((p) => p.step)).toEqual([0, 10, 11, 12, 13, 14, 15, 20, 30]);
    expect(mergeLoaded(zoomed, pts([0, 10, 20, 30], 3), null).map((p) => p.step)).toEqual([0, 10, 20, 30]);
    expect(mergeLoaded(pts([1, 2]), [], null).map((p) => p.step)).toEqual([1, 2]);
  });
});
