import { fireEvent, render, screen } from '@testing-library/react';
import { createElement } from 'react';
import { expect, test } from 'vitest';
import { ChartLegend, DEFAULT_CHART_OPTIONS, hiddenOnLogScale, plotOptions, toAligned, tooltipLines, type ChartSeries } from './metric-chart';

const series = (label: string, points: Array<[number, number, number]>, extra: Partial<ChartSeries> = {}): ChartSeries => ({ label, colour: '#000000', points: points.map(([step, value, time]) => ({ step, value, time })), ...extra });
const context = { width: 300, height: 200, dark: false };

test('one series is drawn against its steps', () => {
  expect(toAligned([series('a', [[0, 1, 1000], [1, 2, 2000]])], DEFAULT_CHART_OPTIONS).data).toEqual([
    [0, 1],
    [1, 2],
  ]);
});

test('several series share one x axis, with gaps where a run has no point', () => {
  const [xs, a, b] = toAligned([series('a', [[0, 1, 0], [2, 3, 0]]), series('b', [[1, 5, 0], [2, 6, 0]])], DEFAULT_CHART_OPTIONS).data;
  expect(xs).toEqual([0, 1, 2]);
  expect(a).toEqual([1, undefined, 3]);
  expect(b).toEqual([undefined, 5, 6]);
});

test('relative time counts seconds from each run’s own first point, so runs trained one after another overlay', () => {
  const [xs, a, b] = toAligned([series('a', [[0, 1, 5000], [1, 2, 7000]]), series('b', [[0, 3, 100_000], [1, 4, 101_000]])], { ...DEFAULT_CHART_OPTIONS, xAxis: 'time' }).data;
  expect(xs).toEqual([0, 1, 2]);
  expect(a).toEqual([1, undefined, 2]);
  expect(b).toEqual([3, 4, undefined]);
});

test('a log scale leaves out values at or below zero; smoothing applies before', () => {
  const [, ys] = toAligned([series('a', [[0, -1, 0], [1, 0, 0], [2, 4, 0]])], { ...DEFAULT_CHART_OPTIONS, logScale: true }).data;
  expect(ys?.slice(0, 2).every((v) => Number.isNaN(v))).toBe(true);
  expect(ys?.[2]).toBe(4);
  expect(hiddenOnLogScale([series('a', [[0, -1, 0], [1, 0, 0], [2, 4, 0]])], { ...DEFAULT_CHART_OPTIONS, logScale: true })).toBe(2);
  expect(hiddenOnLogScale([series('a', [[0, -1, 0]])], DEFAULT_CHART_OPTIONS)).toBe(0);
});

test('smoothing draws the smoothed curve over the faint raw one: raw first, then the line; the tooltip names the raw series', () => {
  const input = [series('a', [[0, 0, 0], [1, 10, 0]])];
  const options = { ...DEFAULT_CHART_OPTIONS, smoothing: 0.5 };
  const { data, tables } = toAligned(input, options);
  expect(tables.map((t) => t.role)).toEqual(['raw', 'line']);
  expect(data[1]).toEqual([0, 10]);
  expect(data[2]?.[1]).toBeCloseTo(20 / 3, 10);
  const plot = plotOptions(input, tables, options, context);
  expect(plot.series[1]?.stroke).toBe('#0000004d');
  expect(plot.series[1]?.label).toBe('a (raw)');
  expect(plot.series[2]?.stroke).toBe('#000000');
  expect(tooltipLines(input, tables)).toEqual([{ label: 'a', colour: '#000000', index: 2, rawIndex: 1 }]);
});

test('a band is drawn behind its line as a uPlot band between its max and min edges', () => {
  const input = [series('a', [[0, 1, 0], [9, 2, 0]], { band: [{ fromStep: 0, toStep: 4, min: 0.5, max: 1.5 }, { fromStep: 5, toStep: 9, min: 1, max: 3 }] })];
  const { data, tables } = toAligned(input, DEFAULT_CHART_OPTIONS);
  expect(tables.map((t) => t.role)).toEqual(['band-lo', 'band-hi', 'line']);
  expect(data[0]).toEqual([0, 4, 5, 9]);
  expect(data[1]).toEqual([0.5, 0.5, 1, 1]);
  expect(data[2]).toEqual([1.5, 1.5, 3, 3]);
  const plot = plotOptions(input, tables, DEFAULT_CHART_OPTIONS, context);
  expect(plot.bands).toEqual([{ series: [2, 1], fill: '#00000026' }]);
  expect(plot.series.map((s) => s.label)).toEqual(['step', 'a (min)', 'a (max)', 'a']);
});

test('any logged metric as the x axis, aligned by step', () => {
  const input = [series('loss', [[0, 4, 0], [10, 3, 0], [20, 2, 0], [30, 1, 0]], { xPoints: [{ step: 0, value: 0, time: 0 }, { step: 20, value: 1, time: 0 }] })];
  const options = { ...DEFAULT_CHART_OPTIONS, xAxis: 'metric' as const, xKey: 'General/epoch' };
  const { data } = toAligned(input, options);
  // step 10 is halfway between the x metric's points; step 30 is after its last point (no x: left out).
  expect(data).toEqual([
    [0, 0.5, 1],
    [4, 3, 2],
  ]);
  expect(plotOptions(input, toAligned(input, options).tables, options, context).axes?.[0]?.label).toBe('General/epoch');
});

test('plot options: a log y scale, the x label, one uPlot series per run, synced cursor, no self-zoom', () => {
  const input = [series('a', []), series('b', [])];
  const options = { ...DEFAULT_CHART_OPTIONS, logScale: true, xAxis: 'time' as const };
  const plot = plotOptions(input, toAligned(input, options).tables, options, { ...context, dark: true, syncKey: 'page' });
  expect(plot.scales?.y?.distr).toBe(3);
  expect(plot.axes?.[0]?.label).toBe('time since the run’s first point (s)');
  expect(plot.series.map((s) => s.label)).toEqual(['time since the run’s first point (s)', 'a', 'b']);
  expect(plot.cursor?.sync?.key).toBe('page');
  expect(plot.cursor?.drag?.setScale).toBe(false);
});

test('the legend lists the curves; a click asks to hide or show one, a hidden one is marked', () => {
  const toggled: string[] = [];
  render(createElement(ChartLegend, { series: [series('a', []), series('b', [])], hidden: new Set(['b']), onToggle: (label: string) => toggled.push(label) }));
  const items = screen.getAllByTestId('legend-item');
  expect(items.map((i) => [i.textContent, i.getAttribute('aria-pressed')])).toEqual([
    ['a', 'true'],
    ['b', 'false'],
  ]);
  fireEvent.click(items[0]!);
  expect(toggled).toEqual(['a']);
});
