'use client';

import type { SeriesPoint } from '@equilab/contracts';
import { useEffect, useEffectEvent, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import uPlot from 'uplot';
import { formatNumber } from '@/lib/format';
import { smoothEma } from '@/lib/series';

export interface ChartSeries {
  label: string;
  colour: string;
  points: readonly SeriesPoint[];
}

export type XAxisMode = 'step' | 'time';

export interface ChartOptions {
  smoothing: number;
  logScale: boolean;
  xAxis: XAxisMode;
}

export const DEFAULT_CHART_OPTIONS: ChartOptions = { smoothing: 0, logScale: false, xAxis: 'step' };

const DARK_QUERY = '(prefers-color-scheme: dark)';

function subscribeToColourScheme(onChange: () => void): () => void {
  const query = window.matchMedia(DARK_QUERY);
  query.addEventListener('change', onChange);
  return () => query.removeEventListener('change', onChange);
}

/** Whether the browser prefers dark colours (false while rendering on the server), following changes. */
function usePrefersDark(): boolean {
  return useSyncExternalStore(
    subscribeToColourScheme,
    () => window.matchMedia(DARK_QUERY).matches,
    () => false,
  );
}

/**
 * Aligns every series on one x axis (steps, or relative time: seconds since that run's own first point, so runs
 * trained one after another overlay) and applies smoothing.
 */
export function toAligned(series: readonly ChartSeries[], options: ChartOptions): uPlot.AlignedData {
  const tables: uPlot.AlignedData[] = series.map((s) => {
    const t0 = s.points[0]?.time ?? 0;
    const xs = s.points.map((p) => (options.xAxis === 'step' ? p.step : (p.time - t0) / 1000));
    let ys = smoothEma(
      s.points.map((p) => p.value),
      options.smoothing,
    );
    if (options.logScale) ys = ys.map((v) => (v > 0 ? v : Number.NaN));
    return [xs, ys] as uPlot.AlignedData;
  });
  if (tables.length === 1 && tables[0]) return tables[0];
  if (tables.length === 0) return [[]];
  return uPlot.join(tables);
}

/** Values a log scale cannot draw (at or below zero, e.g. a negative R²), after smoothing: the chart says how many. */
export function hiddenOnLogScale(series: readonly ChartSeries[], options: ChartOptions): number {
  if (!options.logScale) return 0;
  return series.reduce((n, s) => n + smoothEma(s.points.map((p) => p.value), options.smoothing).filter((v) => !(v > 0)).length, 0);
}

/** uPlot options for the series (colours for light or dark mode). */
export function plotOptions(series: readonly ChartSeries[], options: ChartOptions, { width, height, dark }: { width: number; height: number; dark: boolean }): uPlot.Options {
  const axisColour = dark ? '#94a3b8' : '#475569';
  const gridColour = dark ? 'rgba(148,163,184,0.15)' : 'rgba(71,85,105,0.12)';
  const axis: uPlot.Axis = { stroke: axisColour, grid: { stroke: gridColour, width: 1 }, ticks: { stroke: gridColour, width: 1 } };
  return {
    width,
    height,
    legend: { show: false },
    cursor: { drag: { x: true, y: false } },
    scales: { x: { time: false }, y: { distr: options.logScale ? 3 : 1 } },
    axes: [
      { ...axis, label: options.xAxis === 'step' ? 'step' : 'time since the run’s first point (s)', labelSize: 18, size: 36 },
      { ...axis, size: 60, values: (_u, values) => values.map((v) => (v === null ? '' : formatNumber(v))) },
    ],
    series: [
      { label: options.xAxis === 'step' ? 'step' : 's' },
      ...series.map((s) => ({ label: s.label, stroke: s.colour, width: 1.5, spanGaps: true, points: { show: false }, value: (_u: uPlot, v: number | null) => (v === null ? '—' : formatNumber(v)) })),
    ],
  };
}

/** One uPlot chart; new points are applied with `setData` (no re-creation), options changes rebuild it. */
export function MetricChart({ title, series, options, height = 220 }: { title: string; series: readonly ChartSeries[]; options: ChartOptions; height?: number }) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const dark = usePrefersDark();
  const [width, setWidth] = useState(0);
  const data = useMemo(() => toAligned(series, options), [series, options]);
  const shape = `${series.map((s) => `${s.label}\u0000${s.colour}`).join('|')}|${options.logScale}|${options.xAxis}|${dark}|${height}`;
  const totalPoints = series.reduce((sum, s) => sum + s.points.length, 0);
  const hidden = useMemo(() => hiddenOnLogScale(series, options), [series, options]);

  useEffect(() => {
    const element = container.current;
    if (!element) return undefined;
    const observer = new ResizeObserver((entries) => {
      const next = Math.floor(entries[0]?.contentRect.width ?? 0);
      setWidth((previous) => (Math.abs(previous - next) > 1 ? next : previous));
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  // The plot is rebuilt only when its shape (series, scales, colours, size) changes; new points go through setData.
  const build = useEffectEvent((element: HTMLElement, plotWidth: number) => new uPlot(plotOptions(series, options, { width: plotWidth, height, dark }), data, element));
  useEffect(() => {
    const element = container.current;
    if (!element || width === 0) return undefined;
    const instance = build(element, width);
    plot.current = instance;
    return () => {
      instance.destroy();
      plot.current = null;
    };
  }, [shape, width]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return (
    <figure className="min-w-0 rounded-lg border border-slate-200 bg-white p-2 dark:border-slate-800 dark:bg-slate-900" data-testid="metric-chart" data-key={title} data-points={totalPoints} data-series={series.length} data-series-points={series.map((s) => s.points.length).join(',')}>
      <figcaption className="truncate px-1 pb-1 text-xs font-semibold text-slate-700 dark:text-slate-300" title={title}>
        {title}
        {totalPoints === 0 ? <span className="ml-2 font-normal text-slate-400">no points yet</span> : null}
        {hidden > 0 ? (
          <span className="ml-2 font-normal text-amber-700 dark:text-amber-400" data-testid="log-hidden" title="a log scale cannot show values at or below zero">
            {hidden} value{hidden === 1 ? '' : 's'} ≤ 0 not drawn (log scale)
          </span>
        ) : null}
      </figcaption>
      <div ref={container} className="w-full" style={{ minHeight: height }} />
    </figure>
  );
}

/** Smoothing slider, log scale and x-axis toggles shared by the chart pages. */
export function ChartControls({ value, onChange }: { value: ChartOptions; onChange: (next: ChartOptions) => void }) {
  return (
    <div className="flex flex-wrap items-center gap-4 text-sm" role="group" aria-label="Chart options">
      <label className="flex items-center gap-2">
        <span>Smoothing</span>
        <input type="range" min={0} max={0.99} step={0.01} value={value.smoothing} onChange={(e) => onChange({ ...value, smoothing: Number(e.target.value) })} aria-label="EMA smoothing" className="w-32 accent-sky-600" />
        <span className="w-10 tabular-nums">{value.smoothing.toFixed(2)}</span>
      </label>
      <label className="flex items-center gap-2">
        <input type="checkbox" checked={value.logScale} onChange={(e) => onChange({ ...value, logScale: e.target.checked })} className="accent-sky-600" />
        <span>Log scale</span>
      </label>
      <label className="flex items-center gap-2">
        <span>X axis</span>
        <select value={value.xAxis} onChange={(e) => onChange({ ...value, xAxis: e.target.value as XAxisMode })} className="rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-900">
          <option value="step">Step</option>
          <option value="time">Relative time</option>
        </select>
      </label>
    </div>
  );
}
