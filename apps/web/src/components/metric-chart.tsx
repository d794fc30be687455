'use client';

import type { SeriesPoint } from '@equilab/contracts';
import { useEffect, useEffectEvent, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import uPlot from 'uplot';
import { axisSizeFor, formatAxisTicks } from '@/lib/axis-format';
import { curveTables, type CurveInput, type CurveTable, type XAxisMode } from '@/lib/chart-data';
import { smoothEma } from '@/lib/series';
import { tooltipPlugin, type TooltipLine } from './chart-tooltip';

export type { XAxisMode } from '@/lib/chart-data';

export interface ChartSeries extends CurveInput {
  label: string;
  colour: string;
  points: readonly SeriesPoint[];
  /** A group's mean (its band is the group's spread, drawn stronger than a downsampling band). */
  group?: boolean;
}

export interface ChartOptions {
  smoothing: number;
  logScale: boolean;
  xAxis: XAxisMode;
  /** The metric on the x axis when xAxis is `metric`. */
  xKey: string | null;
}

export const DEFAULT_CHART_OPTIONS: ChartOptions = { smoothing: 0, logScale: false, xAxis: 'step', xKey: null };

/** A zoomed x range (in the x axis' units); null = everything. */
export type XRange = { min: number; max: number } | null;

const DARK_QUERY = '(prefers-color-scheme: dark)';
const AXIS_FONT = '12px ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';
/** Tick length + gap + a margin, beside the widest label. */
const AXIS_EXTRA = 10 + 5 + 6;

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

let measureContext: CanvasRenderingContext2D | null | undefined;
/** Width of `text` in the axis font (CSS px); a rough estimate where canvas is unavailable (tests). */
function measureLabel(text: string): number {
  if (measureContext === undefined) measureContext = typeof document === 'undefined' ? null : document.createElement('canvas').getContext('2d');
  if (!measureContext) return text.length * 7;
  measureContext.font = AXIS_FONT;
  return measureContext.measureText(text).width;
}

export function xAxisLabel(options: Pick<ChartOptions, 'xAxis' | 'xKey'>): string {
  if (options.xAxis === 'step') return 'step';
  if (options.xAxis === 'time') return 'time since the run’s first point (s)';
  return options.xKey ?? 'metric';
}

/**
 * Aligns every drawn curve on one x axis (steps, relative time: seconds since that run's own first point, so runs
 * trained one after another overlay, or another metric's value at the same step), with smoothing, bands and the
 * faint raw curves: `tables` says what each uPlot series (index + 1) is.
 */
export function toAligned(series: readonly ChartSeries[], options: ChartOptions): { data: uPlot.AlignedData; tables: CurveTable[] } {
  const tables = curveTables(series, options);
  if (tables.length === 0) return { data: [[]], tables };
  const first = tables[0];
  if (tables.length === 1 && first) return { data: [first.xs, first.ys], tables };
  return { data: uPlot.join(tables.map((t) => [t.xs, t.ys] as uPlot.AlignedData)), tables };
}

/** Values a log scale cannot draw (at or below zero, e.g. a negative R²), after smoothing: the chart says how many. */
export function hiddenOnLogScale(series: readonly ChartSeries[], options: ChartOptions): number {
  if (!options.logScale) return 0;
  return series.reduce((n, s) => n + smoothEma(s.points.map((p) => p.value), options.smoothing).filter((v) => !(v > 0)).length, 0);
}

/** `#rrggbb` with an alpha (0…1) as `#rrggbbaa`. */
function withAlpha(colour: string, alpha: number): string {
  return /^#[0-9a-f]{6}$/i.test(colour) ? `${colour}${Math.round(alpha * 255).toString(16).padStart(2, '0')}` : colour;
}

/** The tooltip's lines: one per drawn curve (not band edges or raw curves), with its raw curve's series index. */
export function tooltipLines(series: readonly ChartSeries[], tables: readonly CurveTable[]): TooltipLine[] {
  return tables.flatMap((t, i) => {
    if (t.role !== 'line') return [];
    const s = series[t.of];
    const raw = tables.findIndex((r) => r.role === 'raw' && r.of === t.of);
    return s ? [{ label: s.label, colour: s.colour, index: i + 1, rawIndex: raw >= 0 ? raw + 1 : undefined }] : [];
  });
}

export interface PlotContext {
  width: number;
  height: number;
  dark: boolean;
  /** Charts with the same key share the cursor (uPlot's cursor.sync). */
  syncKey?: string | undefined;
  /** A drag-selected x range (the chart does not zoom itself: the page applies it to every chart). */
  onSelect?: ((range: { min: number; max: number }) => void) | undefined;
  /** Double click: back to the whole range. */
  onReset?: (() => void) | undefined;
}

/** uPlot options for the series (colours for light or dark mode). */
export function plotOptions(series: readonly ChartSeries[], tables: readonly CurveTable[], options: ChartOptions, context: PlotContext): uPlot.Options {
  const { width, height, dark } = context;
  const axisColour = dark ? '#94a3b8' : '#475569';
  const gridColour = dark ? 'rgba(148,163,184,0.15)' : 'rgba(71,85,105,0.12)';
  const axis: uPlot.Axis = { stroke: axisColour, font: AXIS_FONT, grid: { stroke: gridColour, width: 1 }, ticks: { stroke: gridColour, width: 1 } };
  const integerSteps = options.xAxis === 'step';
  const drawn: uPlot.Series[] = tables.map((t) => {
    const s = series[t.of];
    const colour = s?.colour ?? '#4e79a7';
    const label = s?.label ?? '';
    if (t.role === 'line') return { label, stroke: colour, width: s?.group ? 2 : 1.5, spanGaps: true, points: { show: false } };
    if (t.role === 'raw') return { label: `${label} (raw)`, stroke: withAlpha(colour, 0.3), width: 1, spanGaps: true, points: { show: false } };
    return { label: `${label} (${t.role === 'band-lo' ? 'min' : 'max'})`, stroke: 'transparent', width: 0, spanGaps: true, points: { show: false } };
  });
  const bands: uPlot.Band[] = [];
  tables.forEach((t, i) => {
    if (t.role !== 'band-hi') return;
    const lo = tables.findIndex((l) => l.role === 'band-lo' && l.of === t.of);
    if (lo >= 0) bands.push({ series: [i + 1, lo + 1], fill: withAlpha(series[t.of]?.colour ?? '#4e79a7', series[t.of]?.group ? 0.3 : 0.15) });
  });
  const lines = tooltipLines(series, tables);
  const xLabel = xAxisLabel(options);
  // The y labels and the axis width are also written on the chart's element (read by the browser tests).
  const size = (self: uPlot, values: string[] | null) => {
    const px = axisSizeFor(values ?? [], measureLabel, AXIS_EXTRA);
    self.root.dataset.yAxisSize = String(px);
    return px;
  };
  const yValues = (self: uPlot, splits: number[]) => {
    const labels = formatAxisTicks(splits);
    self.root.dataset.yTicks = labels.join(' ');
    return labels;
  };
  return {
    width,
    height,
    legend: { show: false },
    cursor: {
      drag: { x: true, y: false, setScale: false },
      points: { show: false },
      ...(context.syncKey ? { sync: { key: context.syncKey, setSeries: false, scales: ['x', null] as [string, null] } } : {}),
      bind: {
        dblclick: () => () => {
          context.onReset?.();
          return null;
        },
      },
    },
    scales: { x: { time: false }, y: { distr: options.logScale ? 3 : 1 } },
    bands,
    plugins: [tooltipPlugin(() => lines, () => xLabel)],
    hooks: {
      setSelect: [
        (u) => {
          if (u.select.width > 2 && context.onSelect) {
            const min = u.posToVal(u.select.left, 'x');
            const max = u.posToVal(u.select.left + u.select.width, 'x');
            if (max > min) context.onSelect({ min, max });
          }
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
        },
      ],
    },
    axes: [
      { ...axis, label: xLabel, labelSize: 18, size: 36, values: (_u, splits) => (integerSteps && splits.every((v) => Number.isInteger(v)) ? splits.map((v) => String(v)) : formatAxisTicks(splits)) },
      { ...axis, size, values: yValues },
    ],
    series: [{ label: xLabel }, ...drawn],
  };
}

/**
 * One uPlot chart; new points are applied with `setData` (no re-creation), options changes rebuild it. Hovering
 * shows a tooltip with every curve's value; a drag selects an x range (`onZoom`, applied to every chart of the page
 * through `zoom`), a double click resets it.
 */
export function MetricChart({
  title,
  caption,
  series,
  options,
  height = 220,
  syncKey,
  zoom = null,
  onZoom,
}: {
  /** The metric key (data-key). */
  title: string;
  /** Shown instead of the key (e.g. "CPU % · system/cpu_percent"). */
  caption?: string;
  series: readonly ChartSeries[];
  options: ChartOptions;
  height?: number;
  syncKey?: string;
  zoom?: XRange;
  onZoom?: (range: XRange) => void;
}) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const dark = usePrefersDark();
  const [width, setWidth] = useState(0);
  const aligned = useMemo(() => toAligned(series, options), [series, options]);
  const roles = aligned.tables.map((t) => `${t.role}:${t.of}`).join(',');
  const shape = `${series.map((s) => `${s.label}\u0000${s.colour}\u0000${s.group ? 1 : 0}`).join('|')}|${roles}|${options.logScale}|${options.xAxis}|${options.xKey}|${dark}|${height}|${syncKey}`;
  const totalPoints = series.reduce((sum, s) => sum + s.points.length, 0);
  const hidden = useMemo(() => hiddenOnLogScale(series, options), [series, options]);
  const bandCount = aligned.tables.filter((t) => t.role === 'band-hi').length;

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

  const select = useEffectEvent((range: { min: number; max: number }) => onZoom?.(range));
  const reset = useEffectEvent(() => onZoom?.(null));
  const applyZoom = useEffectEvent((instance: uPlot) => {
    if (zoom) instance.setScale('x', zoom);
  });
  // Curves hidden from the legend (by label): their line, raw curve and band.
  const [hiddenLabels, setHiddenLabels] = useState<ReadonlySet<string>>(new Set());
  const applyHidden = useEffectEvent((instance: uPlot) => {
    aligned.tables.forEach((t, i) => {
      const show = !hiddenLabels.has(series[t.of]?.label ?? '');
      if (instance.series[i + 1]?.show !== show) instance.setSeries(i + 1, { show });
    });
  });
  // The plot is rebuilt only when its shape (series, scales, colours, size) changes; new points go through setData.
  const build = useEffectEvent(
    (element: HTMLElement, plotWidth: number) => new uPlot(plotOptions(series, aligned.tables, options, { width: plotWidth, height, dark, syncKey, onSelect: select, onReset: reset }), aligned.data, element),
  );
  useEffect(() => {
    const element = container.current;
    if (!element || width === 0) return undefined;
    const instance = build(element, width);
    plot.current = instance;
    applyZoom(instance);
    applyHidden(instance);
    return () => {
      instance.destroy();
      plot.current = null;
    };
  }, [shape, width]);

  useEffect(() => {
    const instance = plot.current;
    if (!instance) return;
    instance.setData(aligned.data, true);
    applyZoom(instance);
  }, [aligned]);

  useEffect(() => {
    if (plot.current) applyHidden(plot.current);
  }, [hiddenLabels]);

  useEffect(() => {
    const instance = plot.current;
    if (!instance) return;
    if (zoom) instance.setScale('x', zoom);
    else instance.setData(instance.data, true);
  }, [zoom]);

  return (
    <figure
      className="min-w-0 rounded-lg border border-slate-200 bg-white p-2 dark:border-slate-800 dark:bg-slate-900"
      data-testid="metric-chart"
      data-key={title}
      data-points={totalPoints}
      data-series={series.length}
      data-series-points={series.map((s) => s.points.length).join(',')}
      data-bands={bandCount}
      data-zoomed={zoom ? 'true' : 'false'}
    >
      <figcaption className="truncate px-1 pb-1 text-xs font-semibold text-slate-700 dark:text-slate-300" title={caption ?? title}>
        {caption ?? title}
        {totalPoints === 0 ? <span className="ml-2 font-normal text-slate-400">no points yet</span> : null}
        {hidden > 0 ? (
          <span className="ml-2 font-normal text-amber-700 dark:text-amber-400" data-testid="log-hidden" title="a log scale cannot show values at or below zero">
            {hidden} value{hidden === 1 ? '' : 's'} ≤ 0 not drawn (log scale)
          </span>
        ) : null}
      </figcaption>
      <div ref={container} className="w-full" style={{ minHeight: height }} />
      <ChartLegend
        series={series}
        hidden={hiddenLabels}
        onToggle={(label) =>
          setHiddenLabels((previous) => {
            const next = new Set(previous);
            if (!next.delete(label)) next.add(label);
            return next;
          })
        }
      />
    </figure>
  );
}

const LEGEND_MAX = 6;

/** The curves' colours and labels under a chart (the first few, then how many more); a click hides or shows a curve. */
export function ChartLegend({ series, hidden, onToggle }: { series: readonly ChartSeries[]; hidden: ReadonlySet<string>; onToggle: (label: string) => void }) {
  if (series.length < 2 && !series.some((s) => s.group)) return null;
  const shown = series.slice(0, LEGEND_MAX);
  return (
    <ul className="flex flex-wrap gap-x-3 gap-y-0.5 px-1 pt-1 text-[11px] text-slate-600 dark:text-slate-400" data-testid="chart-legend">
      {shown.map((s, i) => (
        <li key={`${i}-${s.label}`} className="min-w-0 max-w-full">
          <button
            type="button"
            className={`flex min-w-0 max-w-full items-center gap-1 hover:underline ${hidden.has(s.label) ? 'opacity-40' : ''}`}
            aria-pressed={!hidden.has(s.label)}
            title={`${hidden.has(s.label) ? 'Show' : 'Hide'} ${s.label}`}
            onClick={() => onToggle(s.label)}
            data-testid="legend-item"
          >
            <span className="inline-block h-2 w-2 shrink-0 rounded-sm" style={{ background: s.colour }} aria-hidden />
            <span className="truncate">{s.label}</span>
          </button>
        </li>
      ))}
      {series.length > LEGEND_MAX ? <li>+{series.length - LEGEND_MAX} more</li> : null}
    </ul>
  );
}

/** Smoothing slider, log scale and x-axis choice shared by the chart pages (`metricKeys`: the metrics an x axis can be). */
export function ChartControls({ value, onChange, metricKeys = [] }: { value: ChartOptions; onChange: (next: ChartOptions) => void; metricKeys?: readonly string[] }) {
  const xValue = value.xAxis === 'metric' && value.xKey ? `metric:${value.xKey}` : value.xAxis;
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
      <label className="flex min-w-0 items-center gap-2">
        <span>X axis</span>
        <select
          value={xValue}
          data-testid="x-axis-select"
          onChange={(e) => {
            const next = e.target.value;
            if (next.startsWith('metric:')) onChange({ ...value, xAxis: 'metric', xKey: next.slice('metric:'.length) });
            else onChange({ ...value, xAxis: next as XAxisMode, xKey: null });
          }}
          className="max-w-48 rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-900"
        >
          <option value="step">Step</option>
          <option value="time">Relative time</option>
          {metricKeys.map((key) => (
            <option key={key} value={`metric:${key}`}>
              {key}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
