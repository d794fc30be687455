'use client';

import { useId, useState, type ReactNode } from 'react';
import { chartGroups, chartTitle, SYSTEM_GROUP } from '@/lib/chart-groups';
import { moveInLayout, orderGroups, toggleInLayout, useChartLayout } from '@/lib/chart-layout.store';
import { ChartControls, DEFAULT_CHART_OPTIONS, MetricChart, type ChartOptions, type ChartSeries, type XRange } from './metric-chart';
import { ErrorState, Loading } from './states';

/** A zoomed step range, for refetching the visible range (fromStep/toStep) so the downsampling is recomputed. */
export type StepRange = { fromStep: number; toStep: number } | null;

const smallButton = 'rounded border border-slate-300 px-2 py-0.5 text-xs hover:bg-slate-100 disabled:opacity-40 dark:border-slate-700 dark:hover:bg-slate-800';

/**
 * The charts of a page: one chart per metric key, grouped by the reference's tag prefixes, system metrics in a
 * panel of their own. Each group can be folded, shown full width or moved up and down (kept per `layoutScope`, a
 * project, in localStorage). The smoothing / log-scale / x-axis controls apply to every chart; the charts share one cursor, and
 * a drag on any chart zooms all of them (double click or "Reset zoom" undoes it).
 */
export function MetricChartsSection({
  title,
  keys,
  seriesFor,
  error,
  loading,
  loadingLabel,
  empty,
  className,
  layoutScope,
  onStepRange,
  toolbar,
}: {
  title: string;
  keys: readonly string[];
  /** The series drawn on the chart of `key` (one per run or group); `options.xKey` is the x-axis metric, if any. */
  seriesFor: (key: string, options: ChartOptions) => readonly ChartSeries[];
  error: Error | null;
  loading: boolean;
  loadingLabel: string;
  /** Shown when loading finished without any key. */
  empty?: ReactNode;
  className?: string;
  /** Where the layout (expanded / folded groups) is kept: a project id. */
  layoutScope: string;
  /** Called with the zoomed step range (x axis = step) or null, e.g. to refetch the visible range. */
  onStepRange?: (range: StepRange) => void;
  /** More controls beside the chart options (Compare's grouping). */
  toolbar?: ReactNode;
}) {
  const [options, setOptionsState] = useState<ChartOptions>(DEFAULT_CHART_OPTIONS);
  const [zoom, setZoomState] = useState<XRange>(null);
  const [layout, setLayout] = useChartLayout(layoutScope);
  const syncKey = useId();
  const setZoom = (range: XRange) => {
    setZoomState(range);
    if (options.xAxis === 'step') onStepRange?.(range ? { fromStep: Math.max(0, Math.floor(range.min)), toStep: Math.ceil(range.max) } : null);
  };
  const setOptions = (next: ChartOptions) => {
    if (next.xAxis !== options.xAxis || next.xKey !== options.xKey) {
      // A zoom is a range of the old x axis.
      setZoomState(null);
      onStepRange?.(null);
    }
    setOptionsState(next);
  };
  const { groups, system } = chartGroups(keys);
  const all = orderGroups([...groups, ...(system.length > 0 ? [{ name: SYSTEM_GROUP, keys: system }] : [])], layout.order);
  const shownNames = all.map((g) => g.name);
  return (
    <section aria-labelledby="charts-title" className={className}>
      <div className="mb-3 flex flex-wrap items-center justify-between gap-3">
        <h2 id="charts-title" className="text-base font-semibold">
          {title}
        </h2>
        <div className="flex min-w-0 flex-wrap items-center gap-4">
          {toolbar}
          <ChartControls value={options} onChange={setOptions} metricKeys={keys} />
          <button type="button" className={smallButton} disabled={!zoom} onClick={() => setZoom(null)} data-testid="reset-zoom" title="Or double-click a chart">
            Reset zoom
          </button>
        </div>
      </div>
      {error ? <ErrorState error={error} /> : null}
      {loading && keys.length === 0 ? <Loading label={loadingLabel} /> : null}
      {!loading && !error && keys.length === 0 ? empty : null}
      {all.map((group, position) => {
        const expanded = layout.expanded.includes(group.name);
        const open = !layout.collapsed.includes(group.name);
        const isSystem = group.name === SYSTEM_GROUP;
        return (
          <details
            key={group.name}
            open={open}
            className={isSystem ? 'mb-4 rounded-lg border border-slate-200 p-2 dark:border-slate-800' : 'mb-4'}
            data-testid={isSystem ? 'system-metrics' : 'metric-group'}
            data-group={group.name}
            data-expanded={expanded ? 'true' : 'false'}
            onToggle={(e) => {
              const nowOpen = e.currentTarget.open;
              if (nowOpen !== open) setLayout(toggleInLayout(layout, 'collapsed', group.name, !nowOpen));
            }}
          >
            <summary className="mb-2 flex cursor-pointer items-center gap-2 text-sm font-semibold text-slate-700 dark:text-slate-300">
              <span>
                {isSystem ? 'System metrics' : group.name} <span className="font-normal text-slate-400">({group.keys.length})</span>
              </span>
              <span className="ml-auto flex gap-1 font-normal">
                {([-1, 1] as const).map((by) => (
                  <button
                    key={by}
                    type="button"
                    className={smallButton}
                    disabled={by < 0 ? position === 0 : position === all.length - 1}
                    aria-label={`Move ${group.name} ${by < 0 ? 'up' : 'down'}`}
                    data-testid={by < 0 ? 'move-group-up' : 'move-group-down'}
                    onClick={(e) => {
                      e.preventDefault();
                      setLayout(moveInLayout(layout, shownNames, group.name, by));
                    }}
                  >
                    {by < 0 ? '↑' : '↓'}
                  </button>
                ))}
              </span>
              <button
                type="button"
                className={`${smallButton} font-normal`}
                aria-pressed={expanded}
                data-testid="expand-group"
                onClick={(e) => {
                  e.preventDefault();
                  setLayout(toggleInLayout(layout, 'expanded', group.name, !expanded));
                }}
              >
                {expanded ? 'Collapse' : 'Expand'}
              </button>
            </summary>
            <div className={expanded ? 'grid gap-3' : 'grid gap-3 sm:grid-cols-2 2xl:grid-cols-3'}>
              {group.keys.map((key) => (
                <MetricChart key={key} title={key} caption={chartTitle(key)} options={options} series={seriesFor(key, options)} height={expanded ? 360 : 220} syncKey={syncKey} zoom={zoom} onZoom={setZoom} />
              ))}
            </div>
          </details>
        );
      })}
    </section>
  );
}
