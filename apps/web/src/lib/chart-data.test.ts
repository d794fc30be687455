import { expect, test } from 'vitest';
import { byX, curveTables, groupCurve, sampleAtSteps, valueNear } from './chart-data';

const pts = (rows: Array<[number, number]>) => rows.map(([step, value]) => ({ step, value, time: step * 1000 }));

test('sampling a series at steps interpolates inside its range and is undefined outside', () => {
  expect(sampleAtSteps(pts([[10, 1], [20, 3]]), [5, 10, 15, 20, 25])).toEqual([undefined, 1, 2, 3, undefined]);
  expect(sampleAtSteps([], [1])).toEqual([undefined]);
});

test('points sharing an x are averaged and sorted by x', () => {
  expect(byX([1, 0, 1, undefined], [4, 1, 6, 9], true)).toEqual({ xs: [0, 1], ys: [1, 5] });
  expect(byX([0, 1], [1, 2], false)).toEqual({ xs: [0, 1], ys: [1, 2] });
});

test('a group’s mean and sample standard deviation, aligned by step', () => {
  const curve = groupCurve([pts([[0, 1], [10, 3]]), pts([[0, 3], [10, 5]]), pts([[0, 5], [10, 7]])], 'sd');
  expect(curve.members).toBe(3);
  expect(curve.points.map((p) => [p.step, p.value])).toEqual([
    [0, 3],
    [10, 5],
  ]);
  expect(curve.band).toEqual([
    { fromStep: 0, toStep: 0, min: 1, max: 5 },
    { fromStep: 10, toStep: 10, min: 3, max: 7 },
  ]);
  expect(curve.points[0]?.time).toBe(0);
});

test('min–max bands; members logged at other steps are interpolated, members that ended do not count', () => {
  const curve = groupCurve([pts([[0, 0], [10, 10], [20, 20]]), pts([[0, 2], [5, 7]])], 'minmax');
  expect(curve.points.map((p) => [p.step, p.value])).toEqual([
    [0, 1],
    [5, 6],
    [10, 10],
    [20, 20],
  ]);
  expect(curve.band[1]).toEqual({ fromStep: 5, toStep: 5, min: 5, max: 7 });
  expect(curve.band[2]).toEqual({ fromStep: 10, toStep: 10, min: 10, max: 10 });
  expect(groupCurve([[], []], 'sd')).toEqual({ points: [], band: [], members: 0 });
});

test('a single member has a zero-width sd band', () => {
  expect(groupCurve([pts([[0, 2]])], 'sd').band).toEqual([{ fromStep: 0, toStep: 0, min: 2, max: 2 }]);
});

test('group band edges of one-step entries are one point each, drawn on the curve’s x', () => {
  const tables = curveTables([{ points: pts([[0, 1], [10, 2]]), band: [{ fromStep: 0, toStep: 0, min: 0, max: 2 }, { fromStep: 10, toStep: 10, min: 1, max: 3 }] }], { smoothing: 0, logScale: false, xAxis: 'step' });
  expect(tables.find((t) => t.role === 'band-hi')).toEqual({ role: 'band-hi', of: 0, xs: [0, 10], ys: [2, 3] });
});

test('the tooltip value near the cursor: the value there, else the nearest logged one', () => {
  const xs = [0, 1, 2, 3, 10];
  expect(valueNear(xs, [1, null, undefined, 4, 5], 0)).toEqual({ x: 0, y: 1 });
  expect(valueNear(xs, [1, null, undefined, 4, 5], 2)).toEqual({ x: 3, y: 4 });
  expect(valueNear(xs, [null, null], 0)).toBeNull();
});
