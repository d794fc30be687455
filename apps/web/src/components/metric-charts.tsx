'use client';

import { useState, type ReactNode } from 'react';
import { groupMetricKeys } from '@/lib/metric-groups';
import { ChartControls, DEFAULT_CHART_OPTIONS, MetricChart, type ChartOptions, type ChartSeries } from './metric-chart';
import { ErrorState, Loading } from './states';

/**
 * The charts of a page: one chart per metric key, grouped by the reference's tag prefixes (each group can be
 * folded), with the smoothing / log-scale / x-axis controls applying to every chart.
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
}: {
  title: string;
  keys: readonly string[];
  /** The series drawn on the chart of `key` (one per run). */
  seriesFor: (key: string) => readonly ChartSeries[];
  error: Error | null;
  loading: boolean;
  loadingLabel: string;
  /** Shown when loading finished without any key. */
  empty?: ReactNode;
  className?: string;
}) {
  const [options, setOptions] = useState<ChartOptions>(DEFAULT_CHART_OPTIONS);
  return (
    <section aria-labelledby="charts-title" className={className}>
      <div className="mb-3 flex flex-wrap items-center justify-between gap-3">
        <h2 id="charts-title" className="text-base font-semibold">
          {title}
        </h2>
        <ChartControls value={options} onChange={setOptions} />
      </div>
      {error ? <ErrorState error={error} /> : null}
      {loading && keys.length === 0 ? <Loading label={loadingLabel} /> : null}
      {!loading && !error && keys.length === 0 ? empty : null}
      {groupMetricKeys(keys).map((group) => (
        <details key={group.name} open className="mb-4" data-testid="metric-group" data-group={group.name}>
          <summary className="mb-2 cursor-pointer text-sm font-semibold text-slate-700 dark:text-slate-300">
            {group.name} <span className="font-normal text-slate-400">({group.keys.length})</span>
          </summary>
          <div className="grid gap-3 sm:grid-cols-2 2xl:grid-cols-3">
            {group.keys.map((key) => (
              <MetricChart key={key} title={key} options={options} series={seriesFor(key)} />
            ))}
          </div>
        </details>
      ))}
    </section>
  );
}
