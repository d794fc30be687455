'use client';

import type { RunDetail } from '@equilab/contracts';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useMemo, useState } from 'react';
import { EvaluationTableView } from '@/components/evaluation-table';
import { LiveIndicator } from '@/components/live-indicator';
import type { ChartOptions, ChartSeries } from '@/components/metric-chart';
import { MetricChartsSection } from '@/components/metric-charts';
import { PageHeader, buttonClass, inputClass } from '@/components/page-header';
import { Panel } from '@/components/panel';
import { StatusBadge } from '@/components/status-badge';
import { Async, Empty } from '@/components/states';
import { api } from '@/lib/api.client';
import { colourFor, formatNumber, formatValue } from '@/lib/format';
import { fetchMetricSummaries, summaryKeys, type SummariesByRun } from '@/lib/metric-summaries';
import { lowerIsBetter } from '@/lib/metric-groups';
import { useApi } from '@/lib/use-api.hook';
import { groupCurve, type GroupBandMode } from '@/lib/chart-data';
import { decodeGroupBy, encodeGroupBy, groupRuns, sweepParamNames, type GroupBy } from '@/lib/run-groups';
import { useRunSeries, type BandsByRun, type SeriesByRun, type StepWindow } from '@/lib/use-run-series.hook';
import { bestValues, configDifferences, metricValue, parseRunIds, runLabel, type ValueMode } from './compare-model';
import { RunMatrix } from './run-matrix';
import { RunPicker } from './run-picker';

interface Loaded {
  runs: RunDetail[];
  summaries: SummariesByRun;
}

const BEST_CELL = 'bg-emerald-100 font-semibold text-emerald-900 dark:bg-emerald-900/40 dark:text-emerald-200';

function deltaClass(delta: number, key: string): string {
  if (delta === 0) return 'text-slate-400';
  return (delta < 0) === lowerIsBetter(key) ? 'text-emerald-600 dark:text-emerald-400' : 'text-red-600 dark:text-red-400';
}

/** The Compare page (`/compare?runs=a,b,…`): legend with a baseline, config differences, metric values, evaluations, overlaid charts. */
export function CompareView() {
  const params = useSearchParams();
  const ids = useMemo(() => parseRunIds(params.get('runs') ?? ''), [params]);
  const idsKey = ids.join(',');
  const loaded = useApi<Loaded>(idsKey ? `compare:${idsKey}` : null, async (signal) => {
    const [runs, summaries] = await Promise.all([Promise.all(ids.map((id) => api<RunDetail>(`/runs/${id}`, { signal }))), fetchMetricSummaries(ids, signal)]);
    return { runs, summaries };
  });
  const [stepWindow, setStepWindow] = useState<StepWindow>(null);
  const metrics = useRunSeries(ids, 500, stepWindow);
  const [groupBy, setGroupBy] = useState<GroupBy>({ kind: 'none' });
  const [bandMode, setBandMode] = useState<GroupBandMode>('sd');
  const [baseline, setBaseline] = useState<string | null>(null);
  const [mode, setMode] = useState<ValueMode>('last');
  const diff = useMemo(() => configDifferences(loaded.data?.runs ?? []), [loaded.data]);
  // Each chart's curves, computed once per (series, grouping) and kept while none of them changes, so a re-render
  // for anything else (the baseline, final/best values, chart options) neither regroups nor re-aligns every chart.
  const seriesFor = useMemo(() => {
    const runs = loaded.data?.runs ?? [];
    const labelOf = (index: number) => runLabel(runs[index]?.name ?? '', index, diff);
    return cachedByKey((key: string, options: ChartOptions) => compareSeries(key, options, { runs, labelOf, series: metrics.series, bands: metrics.bands, groupBy, bandMode }));
  }, [loaded.data, diff, metrics.series, metrics.bands, groupBy, bandMode]);

  if (ids.length === 0) {
    return (
      <>
        <PageHeader title="Compare runs" />
        <Empty title="No runs chosen">
          <p className="mb-3">Select two or more runs in a project’s Runs table, or paste run ids:</p>
          <div className="flex justify-center">
            <RunPicker initial="" />
          </div>
        </Empty>
      </>
    );
  }

  return (
    <Async state={loaded} loadingLabel="Loading runs…">
      {({ runs, summaries }) => {
        const baselineId = baseline ?? runs[0]?.id ?? null;
        const labelOf = (index: number) => runLabel(runs[index]?.name ?? '', index, diff);
        const metricKeys = summaryKeys(summaries);
        const diffValues = new Map(diff.map((d) => [d.key, d.values]));
        const best = bestValues(
          summaries,
          runs.map((r) => r.id),
          metricKeys,
          mode,
        );
        return (
          <>
            <PageHeader
              title={`Compare ${runs.length} runs`}
              subtitle={<LiveIndicator status={metrics.live} />}
              actions={
                runs[0] ? (
                  <Link href={`/projects/${runs[0].projectId}/runs`} className={buttonClass}>
                    Back to runs
                  </Link>
                ) : null
              }
            />

            <Panel id="legend-title" title="Runs" className="mb-4">
              <ul className="space-y-1 text-sm" data-testid="compare-legend">
                {runs.map((run, index) => (
                  <li key={run.id} className="flex flex-wrap items-center gap-2">
                    <span className="inline-block h-3 w-3 rounded-sm" style={{ background: colourFor(index) }} aria-hidden />
                    <Link href={`/runs/${run.id}`} className="font-medium text-sky-700 hover:underline dark:text-sky-400">
                      {run.name}
                    </Link>
                    <StatusBadge status={run.status} />
                    <span className="text-xs text-slate-500">{labelOf(index).slice(run.name.length).trim()}</span>
                    <label className="ml-auto flex items-center gap-1 text-xs">
                      <input type="radio" name="baseline" checked={baselineId === run.id} onChange={() => setBaseline(run.id)} className="accent-sky-600" />
                      baseline
                    </label>
                  </li>
                ))}
              </ul>
            </Panel>

            <div className="mb-4 grid gap-4 xl:grid-cols-2">
              <Panel id="diff-title" title="Config differences" className="min-w-0">
                {diff.length === 0 ? (
                  <p className="text-sm text-slate-500">The runs have identical configs.</p>
                ) : (
                  <div className="overflow-x-auto">
                    <RunMatrix runs={runs} corner="field" rowKeys={diff.map((d) => d.key)} rowData cell={(key, _run, index) => ({ content: formatValue(diffValues.get(key)?.[index]) })} testId="config-diff" />
                  </div>
                )}
              </Panel>

              <Panel
                id="values-title"
                title={`${mode === 'last' ? 'Final' : 'Best'} values`}
                className="min-w-0"
                actions={
                  <label className="flex items-center gap-2 text-xs">
                    <span>Show</span>
                    <select value={mode} onChange={(e) => setMode(e.target.value as ValueMode)} className={inputClass}>
                      <option value="last">final</option>
                      <option value="best">best</option>
                    </select>
                  </label>
                }
              >
                {metricKeys.length === 0 ? (
                  <p className="text-sm text-slate-500">No metrics recorded yet.</p>
                ) : (
                  <div className="max-h-96 overflow-auto">
                    <RunMatrix
                      runs={runs}
                      corner="metric"
                      rowKeys={metricKeys}
                      align="right"
                      stickyHeader
                      runSuffix={(run) => (run.id === baselineId ? ' (baseline)' : '')}
                      cell={(key, run) => {
                        const value = metricValue(summaries, run.id, key, mode);
                        const base = baselineId ? metricValue(summaries, baselineId, key, mode) : undefined;
                        const isBest = value !== undefined && best.get(key) === value;
                        const delta = value !== undefined && base !== undefined && run.id !== baselineId ? value - base : undefined;
                        return {
                          best: isBest,
                          className: `text-right tabular-nums ${isBest ? BEST_CELL : ''}`,
                          content: (
                            <>
                              {value === undefined ? '—' : formatNumber(value)}
                              {delta !== undefined ? (
                                <span className={`ml-1 text-[10px] ${deltaClass(delta, key)}`}>
                                  ({delta >= 0 ? '+' : ''}
                                  {formatNumber(delta)})
                                </span>
                              ) : null}
                            </>
                          ),
                        };
                      }}
                      testId="metric-values"
                    />
                  </div>
                )}
              </Panel>
            </div>

            <EvaluationTableView scope={{ runIds: ids }} baselineRunId={baselineId} />
            <MetricChartsSection
              title="Charts"
              keys={metrics.keys.length > 0 ? metrics.keys : metricKeys}
              layoutScope={runs[0]?.projectId ?? 'compare'}
              onStepRange={setStepWindow}
              toolbar={<GroupControls runs={runs} fields={diff.map((d) => d.key)} groupBy={groupBy} onGroupBy={setGroupBy} bandMode={bandMode} onBandMode={setBandMode} />}
              seriesFor={seriesFor}
              error={metrics.error}
              loading={metrics.loading}
              loadingLabel="Loading series…"
            />
            <div className="mt-6">
              <RunPicker initial={ids.join(',')} />
            </div>
          </>
        );
      }}
    </Async>
  );
}

/** `curvesOf` remembered per metric key and x-axis metric (the other chart options do not change the curves). */
function cachedByKey(curvesOf: (key: string, options: ChartOptions) => ChartSeries[]): (key: string, options: ChartOptions) => ChartSeries[] {
  const cache = new Map<string, ChartSeries[]>();
  return (key, options) => {
    const id = `${key}\u0000${options.xKey ?? ''}`;
    let curves = cache.get(id);
    if (!curves) {
      curves = curvesOf(key, options);
      cache.set(id, curves);
    }
    return curves;
  };
}

/** Compare draws the downsampling min/max bands of at most this many runs (more: lines only; groups have their own bands). */
const BAND_MAX_RUNS = 10;

/**
 * The curves of one Compare chart: one per run (with its downsampling band), or, when grouping, one mean curve per
 * group with its ±sd or min–max band over the members' step-aligned values.
 */
function compareSeries(
  key: string,
  options: ChartOptions,
  context: { runs: readonly RunDetail[]; labelOf: (index: number) => string; series: SeriesByRun; bands: BandsByRun; groupBy: GroupBy; bandMode: GroupBandMode },
): ChartSeries[] {
  const { runs, labelOf, series, bands, groupBy, bandMode } = context;
  if (groupBy.kind === 'none') {
    // Downsampling bands of many overlaid runs would hide each other (and cost a fill each): up to BAND_MAX_RUNS.
    const withBands = runs.length <= BAND_MAX_RUNS;
    return runs.map((run, index) => ({
      label: labelOf(index),
      colour: colourFor(index),
      points: series[run.id]?.[key] ?? [],
      band: withBands ? bands[run.id]?.[key] : undefined,
      xPoints: options.xKey ? series[run.id]?.[options.xKey] : undefined,
    }));
  }
  const of = (index: number, metric: string) => series[runs[index]?.id ?? '']?.[metric] ?? [];
  return groupRuns(runs, groupBy, labelOf).map((group, index) => {
    const curve = groupCurve(
      group.members.map((m) => of(m, key)),
      bandMode,
    );
    const xKey = options.xKey;
    return {
      label: group.label,
      colour: colourFor(index),
      points: curve.points,
      band: curve.band,
      group: true,
      xPoints: xKey
        ? groupCurve(
            group.members.map((m) => of(m, xKey)),
            'sd',
          ).points
        : undefined,
    };
  });
}

/** Compare's grouping: by method, replicate seeds of one configuration, a differing config field or a sweep parameter; the band kind. */
function GroupControls({
  runs,
  fields,
  groupBy,
  onGroupBy,
  bandMode,
  onBandMode,
}: {
  runs: readonly RunDetail[];
  fields: readonly string[];
  groupBy: GroupBy;
  onGroupBy: (next: GroupBy) => void;
  bandMode: GroupBandMode;
  onBandMode: (next: GroupBandMode) => void;
}) {
  const params = sweepParamNames(runs);
  return (
    <div className="flex flex-wrap items-center gap-3 text-sm">
      <label className="flex min-w-0 items-center gap-2">
        <span>Group by</span>
        <select value={encodeGroupBy(groupBy)} onChange={(e) => onGroupBy(decodeGroupBy(e.target.value))} className={`max-w-48 ${inputClass}`} data-testid="group-by">
          <option value="none">nothing (one curve a run)</option>
          <option value="method">method</option>
          <option value="replicates">replicate seeds (same config)</option>
          {params.length > 0 ? (
            <optgroup label="Sweep parameter">
              {params.map((p) => (
                <option key={p} value={encodeGroupBy({ kind: 'sweep', param: p })}>
                  {p}
                </option>
              ))}
            </optgroup>
          ) : null}
          {fields.length > 0 ? (
            <optgroup label="Config field">
              {fields.map((f) => (
                <option key={f} value={encodeGroupBy({ kind: 'config', field: f })}>
                  {f}
                </option>
              ))}
            </optgroup>
          ) : null}
        </select>
      </label>
      {groupBy.kind !== 'none' ? (
        <label className="flex items-center gap-2">
          <span>Band</span>
          <select value={bandMode} onChange={(e) => onBandMode(e.target.value === 'minmax' ? 'minmax' : 'sd')} className={inputClass} data-testid="group-band">
            <option value="sd">mean ± sd</option>
            <option value="minmax">min – max</option>
          </select>
        </label>
      ) : null}
    </div>
  );
}
