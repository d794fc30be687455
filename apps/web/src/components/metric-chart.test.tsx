import { expect, test } from 'vitest';
import { DEFAULT_CHART_OPTIONS, hiddenOnLogScale, plotOptions, toAligned, type ChartSeries } from './metric-chart';

const series = (label: string, points: Array<[number, number, number]>): ChartSeries => ({ label, colour: '#000', points: points.map(([step, value, time]) => ({ step, value, time })) });

test('one series is drawn against its steps', () => {
  expect(toAligned([series('a', [[0, 1, 1000], [1, 2, 2000]])], DEFAULT_CHART_OPTIONS)).toEqual([
    [0, 1],
    [1, 2],
  ]);
});

test('several series share one x axis, with gaps where a run has no point', () => {
  const [xs, a, b] = toAligned([series('a', [[0, 1, 0], [2, 3, 0]]), series('b', [[1, 5, 0], [2, 6, 0]])], DEFAULT_CHART_OPTIONS);
  expect(xs).toEqual([0, 1, 2]);
  expect(a).toEqual([1, undefined, 3]);
  expect(b).toEqual([undefined, 5, 6]);
});

test('relative time counts seconds from each run’s own first point, so runs trained one after another overlay', () => {
  const [xs, a, b] = toAligned([series('a', [[0, 1, 5000], [1, 2, 7000]]), series('b', [[0, 3, 100_000], [1, 4, 101_000]])], { ...DEFAULT_CHART_OPTIONS, xAxis: 'time' });
  expect(xs).toEqual([0, 1, 2]);
  expect(a).toEqual([1, undefined, 2]);
  expect(b).toEqual([3, 4, undefined]);
});

test('a log scale leaves out values at or below zero; smoothing applies before', () => {
  const [, ys] = toAligned([series('a', [[0, -1, 0], [1, 0, 0], [2, 4, 0]])], { ...DEFAULT_CHART_OPTIONS, logScale: true });
  expect(ys?.slice(0, 2).every((v) => Number.isNaN(v))).toBe(true);
  expect(ys?.[2]).toBe(4);
  const [, smoothed] = toAligned([series('a', [[0, 0, 0], [1, 10, 0]])], { ...DEFAULT_CHART_OPTIONS, smoothing: 0.5 });
  expect(smoothed?.[1]).toBeCloseTo(20 / 3, 10);
  expect(hiddenOnLogScale([series('a', [[0, -1, 0], [1, 0, 0], [2, 4, 0]])], { ...DEFAULT_CHART_OPTIONS, logScale: true })).toBe(2);
  expect(hiddenOnLogScale([series('a', [[0, -1, 0]])], DEFAULT_CHART_OPTIONS)).toBe(0);
});

test('plot options: a log y scale, the x label, one uPlot series per run', () => {
  const options = plotOptions([series('a', []), series('b', [])], { ...DEFAULT_CHART_OPTIONS, logScale: true, xAxis: 'time' }, { width: 300, height: 200, dark: true });
  expect(options.scales?.y?.distr).toBe(3);
  expect(options.axes?.[0]?.label).toBe('time since the run’s first point (s)');
  expect(options.series.map((s) => s.label)).toEqual(['s', 'a', 'b']);
});
