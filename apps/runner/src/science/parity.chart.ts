import * as echarts from 'echarts';
import sharp from 'sharp';
import type { Curve } from './curve.format';

const EQUILAB = '#2563eb';
const REFERENCE = '#6b7280';

interface Band {
  readonly mean: (number | null)[];
  readonly low: (number | null)[];
  readonly high: (number | null)[];
}

/** Mean, min and max over curves of a statistic's window means at each step (null where no curve has it). */
function band(curves: readonly Curve[], stat: string, steps: readonly number[]): Band {
  const result: { mean: (number | null)[]; low: (number | null)[]; high: (number | null)[] } = { mean: [], low: [], high: [] };
  for (const step of steps) {
    const vs = curves.flatMap((c) => {
      const v = c.rows.find((r) => r.step === step)?.mean100[stat];
      return typeof v === 'number' && Number.isFinite(v) ? [v] : [];
    });
    if (vs.length === 0) {
      result.mean.push(null);
      result.low.push(null);
      result.high.push(null);
      continue;
    }
    result.mean.push(vs.reduce((s, v) => s + v, 0) / vs.length);
    result.low.push(Math.min(...vs));
    result.high.push(Math.max(...vs));
  }
  return result;
}

/** A min–max band drawn as a transparent lower line with the band's height stacked on it, plus the mean line. */
function bandSeries(name: string, color: string, b: Band, axis: number): echarts.SeriesOption[] {
  const stack = `${name}-${axis}`;
  const height = b.high.map((h, i) => (h === null || b.low[i] === null ? null : h - (b.low[i] as number)));
  return [
    { type: 'line', name: `${name} band`, data: b.low, stack, lineStyle: { opacity: 0 }, symbol: 'none', xAxisIndex: axis, yAxisIndex: axis, silent: true },
    { type: 'line', name: `${name} band`, data: height, stack, lineStyle: { opacity: 0 }, areaStyle: { color, opacity: 0.22 }, symbol: 'none', xAxisIndex: axis, yAxisIndex: axis, silent: true },
    { type: 'line', name, data: b.mean, lineStyle: { color, width: 1.6 }, itemStyle: { color }, symbol: 'none', xAxisIndex: axis, yAxisIndex: axis },
  ];
}

export interface ParityChartOptions {
  readonly method: string;
  readonly stats: readonly string[];
  readonly equilab: readonly Curve[];
  readonly reference: readonly Curve[];
  readonly columns?: number;
}

/**
 * One PNG per method: a panel per statistic with Equilab's mean ± min–max band over its seeds over the
 * reference's, against optimiser steps. Rendered by ECharts on the server (SVG) and rasterised by sharp.
 */
export async function renderParityChart(options: ParityChartOptions): Promise<Buffer> {
  const { stats, equilab, reference, method } = options;
  const stepSet = new Set<number>();
  for (const c of [...equilab, ...reference]) for (const r of c.rows) stepSet.add(r.step);
  const steps = [...stepSet].sort((a, b) => a - b);
  const columns = options.columns ?? Math.min(3, stats.length);
  const rows = Math.ceil(stats.length / columns);
  const cellW = 380;
  const cellH = 250;
  const top = 70;
  const width = columns * cellW;
  const height = top + rows * cellH;
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  const seedsOf = (cs: readonly Curve[]) => cs.map((c) => c.header.seed).sort((a, b) => a - b).join(', ');
  const grid: echarts.GridComponentOption[] = [];
  const xAxis: echarts.XAXisComponentOption[] = [];
  const yAxis: echarts.YAXisComponentOption[] = [];
  const title: echarts.TitleComponentOption[] = [
    {
      text: `${method}: Equilab (seeds ${seedsOf(equilab)}) vs reference implementation (seeds ${seedsOf(reference)})`,
      subtext: 'window means over 100 steps; lines = mean over seeds, shaded = min–max over seeds',
      left: 'center',
      top: 6,
      textStyle: { fontSize: 15 },
    },
  ];
  const series: echarts.SeriesOption[] = [];
  // Round step labels (1000, 2000, …): at most 7 of them on an axis.
  const last = steps[steps.length - 1] ?? 1;
  const tick = [100, 200, 500, 1000, 2000, 5000, 10_000].find((t) => last / t <= 7) ?? 10_000;
  stats.forEach((stat, i) => {
    const col = i % columns;
    const row = Math.floor(i / columns);
    const left = col * cellW + 58;
    const gridTop = top + row * cellH + 28;
    grid.push({ left, top: gridTop, width: cellW - 80, height: cellH - 70 });
    title.push({ text: stat, left: left - 10, top: gridTop - 24, textStyle: { fontSize: 12, fontWeight: 'normal' } });
    xAxis.push({ type: 'category', gridIndex: i, data: steps.map(String), axisLabel: { fontSize: 10, interval: (_index: number, value: string) => Number(value) % tick === 0 } });
    yAxis.push({ type: 'value', gridIndex: i, scale: true, axisLabel: { fontSize: 10 }, splitLine: { lineStyle: { color: '#eee' } } });
    series.push(...bandSeries('reference', REFERENCE, band(reference, stat, steps), i), ...bandSeries('Equilab', EQUILAB, band(equilab, stat, steps), i));
  });
  chart.setOption({
    animation: false,
    backgroundColor: '#ffffff',
    title,
    legend: { data: ['Equilab', 'reference'], right: 16, top: 8 },
    grid,
    xAxis,
    yAxis,
    series,
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return sharp(Buffer.from(svg)).png().toBuffer();
}
