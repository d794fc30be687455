'use client';

import type { MetricSummaryResponse, RunDetail } from '@equilab/contracts';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useMemo, useState } from 'react';
import { LiveIndicator } from '@/components/live-indicator';
import { ChartControls, MetricChart, type ChartOptions } from '@/components/metric-chart';
import { PageHeader, buttonClass, inputClass, primaryButtonClass } from '@/components/page-header';
import { StatusBadge } from '@/components/status-badge';
import { Empty, ErrorState, Loading } from '@/components/states';
import { api } from '@/lib/api.client';
import { colourFor, flatten, formatNumber, formatValue } from '@/lib/format';
import { groupMetricKeys, isRankable, lowerIsBetter } from '@/lib/metric-groups';
import { useApi } from '@/lib/use-api.hook';
import { useRunSeries } from '@/lib/use-run-series.hook';
import { EvaluationTableView } from '@/components/evaluation-table';

interface Loaded {
  runs: RunDetail[];
  summaries: Record<string, MetricSummaryResponse['metrics']>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function RunPicker({ initial }: { initial: string }) {
  const router = useRouter();
  const [text, setText] = useState(initial);
  const ids = text.split(/[\s,]+/).filter((s) => UUID.test(s));
  return (
    <form
      className="flex flex-wrap items-center gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        router.push(`/compare?runs=${ids.join(',')}`);
      }}
    >
      <label htmlFor="compare-ids" className="text-sm">
        Run ids
      </label>
      <input id="compare-ids" value={text} onChange={(e) => setText(e.target.value)} className={`${inputClass} w-[36rem] max-w-full font-mono`} placeholder="comma-separated run ids" />
      <button type="submit" className={primaryButtonClass} disabled={ids.length < 1}>
        Compare
      </button>
    </form>
  );
}

export function CompareView() {
  const params = useSearchParams();
  const ids = useMemo(() => (params.get('runs') ?? '').split(',').filter((s) => UUID.test(s)), [params]);
  const idsKey = ids.join(',');
  const loaded = useApi<Loaded>(idsKey ? `compare:${idsKey}` : null, async (signal) => {
    const runs = await Promise.all(ids.map((id) => api<RunDetail>(`/runs/${id}`, { signal })));
    const summaries: Loaded['summaries'] = {};
    await Promise.all(
      ids.map(async (id) => {
        summaries[id] = (await api<MetricSummaryResponse>(`/runs/${id}/metrics/summary`, { signal })).metrics;
      }),
    );
    return { runs, summaries };
  });
  const metrics = useRunSeries(ids, 500);
  const [options, setOptions] = useState<ChartOptions>({ smoothing: 0, logScale: false, xAxis: 'step' });
  const [baseline, setBaseline] = useState<string | null>(null);
  const [mode, setMode] = useState<'last' | 'best'>('last');

  const diff = useMemo(() => {
    const runs = loaded.data?.runs ?? [];
    const flat = runs.map((r) => ({ ...flatten(r.config), method: r.method, seed: r.seed }));
    const keys = [...new Set(flat.flatMap((f) => Object.keys(f)))].sort();
    return keys.filter((key) => new Set(flat.map((f) => JSON.stringify(f[key as keyof typeof f] ?? null))).size > 1).map((key) => ({ key, values: flat.map((f) => f[key as keyof typeof f]) }));
  }, [loaded.data]);

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
  if (loaded.error && !loaded.data) return <ErrorState error={loaded.error} onRetry={loaded.reload} />;
  if (!loaded.data) return <Loading label="Loading runs…" />;
  const { runs, summaries } = loaded.data;
  const baselineId = baseline ?? runs[0]?.id ?? null;
  const labelOf = (index: number) => {
    const run = runs[index];
    if (!run) return '';
    const parts = diff.filter((d) => d.key !== 'seed').map((d) => `${d.key}=${formatValue(d.values[index])}`);
    return parts.length > 0 ? `${run.name} (${parts.join(', ')})` : run.name;
  };
  const metricKeys = [...new Set(Object.values(summaries).flatMap((list) => list.map((m) => m.key)))].sort();
  const valueOf = (runId: string, key: string): number | undefined => {
    const summary = summaries[runId]?.find((m) => m.key === key);
    if (!summary) return undefined;
    if (mode === 'last') return summary.last;
    return lowerIsBetter(key) ? summary.min : summary.max;
  };
  const bestPerKey = new Map<string, number>();
  for (const key of metricKeys.filter(isRankable)) {
    const values = runs.map((r) => valueOf(r.id, key)).filter((v): v is number => v !== undefined && Number.isFinite(v));
    if (values.length > 1) bestPerKey.set(key, lowerIsBetter(key) ? Math.min(...values) : Math.max(...values));
  }
  const chartKeys = metrics.keys.length > 0 ? metrics.keys : metricKeys;

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

      <section aria-labelledby="legend-title" className="mb-4 rounded-lg border border-slate-200 p-3 dark:border-slate-800">
        <h2 id="legend-title" className="mb-2 text-sm font-semibold">
          Runs
        </h2>
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
      </section>

      <div className="mb-4 grid gap-4 xl:grid-cols-2">
        <section aria-labelledby="diff-title" className="min-w-0 rounded-lg border border-slate-200 p-3 dark:border-slate-800">
          <h2 id="diff-title" className="mb-2 text-sm font-semibold">
            Config differences
          </h2>
          {diff.length === 0 ? (
            <p className="text-sm text-slate-500">The runs have identical configs.</p>
          ) : (
            <div className="overflow-x-auto">
              <table className="w-full text-xs" data-testid="config-diff">
                <thead>
                  <tr>
                    <th scope="col" className="py-1 pr-2 text-left">
                      field
                    </th>
                    {runs.map((run, index) => (
                      <th key={run.id} scope="col" className="py-1 pr-2 text-left" style={{ color: colourFor(index) }}>
                        {run.name}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {diff.map((d) => (
                    <tr key={d.key} className="border-t border-slate-100 dark:border-slate-800" data-field={d.key}>
                      <th scope="row" className="py-1 pr-2 text-left font-mono font-normal">
                        {d.key}
                      </th>
                      {d.values.map((v, i) => (
                        <td key={i} className="py-1 pr-2 font-mono">
                          {formatValue(v)}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>

        <section aria-labelledby="values-title" className="min-w-0 rounded-lg border border-slate-200 p-3 dark:border-slate-800">
          <div className="mb-2 flex items-center justify-between gap-2">
            <h2 id="values-title" className="text-sm font-semibold">
              {mode === 'last' ? 'Final' : 'Best'} values
            </h2>
            <label className="flex items-center gap-2 text-xs">
              <span>Show</span>
              <select value={mode} onChange={(e) => setMode(e.target.value as 'last' | 'best')} className={inputClass}>
                <option value="last">final</option>
                <option value="best">best</option>
              </select>
            </label>
          </div>
          {metricKeys.length === 0 ? (
            <p className="text-sm text-slate-500">No metrics recorded yet.</p>
          ) : (
            <div className="max-h-96 overflow-auto">
              <table className="w-full text-xs" data-testid="metric-values">
                <thead className="sticky top-0 bg-white dark:bg-slate-950">
                  <tr>
                    <th scope="col" className="py-1 pr-2 text-left">
                      metric
                    </th>
                    {runs.map((run, index) => (
                      <th key={run.id} scope="col" className="py-1 pr-2 text-right" style={{ color: colourFor(index) }}>
                        {run.name}
                        {run.id === baselineId ? ' (baseline)' : ''}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {metricKeys.map((key) => {
                    const base = baselineId ? valueOf(baselineId, key) : undefined;
                    return (
                      <tr key={key} className="border-t border-slate-100 dark:border-slate-800">
                        <th scope="row" className="py-1 pr-2 text-left font-mono font-normal">
                          {key}
                        </th>
                        {runs.map((run) => {
                          const value = valueOf(run.id, key);
                          const best = value !== undefined && bestPerKey.get(key) === value;
                          const delta = value !== undefined && base !== undefined && run.id !== baselineId ? value - base : undefined;
                          return (
                            <td key={run.id} className={`py-1 pr-2 text-right font-mono tabular-nums ${best ? 'bg-emerald-100 font-semibold text-emerald-900 dark:bg-emerald-900/40 dark:text-emerald-200' : ''}`} data-best={best ? 'true' : undefined}>
                              {value === undefined ? '—' : formatNumber(value)}
                              {delta !== undefined ? <span className={`ml-1 text-[10px] ${delta === 0 ? 'text-slate-400' : (delta < 0) === lowerIsBetter(key) ? 'text-emerald-600 dark:text-emerald-400' : 'text-red-600 dark:text-red-400'}`}>({delta >= 0 ? '+' : ''}{formatNumber(delta)})</span> : null}
                            </td>
                          );
                        })}
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </section>
      </div>

      <EvaluationTableView scope={{ runIds: ids }} baselineRunId={baselineId} />
      <section aria-labelledby="charts-title">
        <div className="mb-3 flex flex-wrap items-center justify-between gap-3">
          <h2 id="charts-title" className="text-base font-semibold">
            Charts
          </h2>
          <ChartControls value={options} onChange={setOptions} />
        </div>
        {metrics.error ? <ErrorState error={metrics.error} /> : null}
        {metrics.loading && metrics.keys.length === 0 ? <Loading label="Loading series…" /> : null}
        {groupMetricKeys(chartKeys).map((group) => (
          <details key={group.name} open className="mb-4">
            <summary className="mb-2 cursor-pointer text-sm font-semibold">{group.name}</summary>
            <div className="grid gap-3 sm:grid-cols-2 2xl:grid-cols-3">
              {group.keys.map((key) => (
                <MetricChart key={key} title={key} options={options} series={runs.map((run, index) => ({ label: labelOf(index), colour: colourFor(index), points: metrics.series[run.id]?.[key] ?? [] }))} />
              ))}
            </div>
          </details>
        ))}
      </section>
      <div className="mt-6">
        <RunPicker initial={ids.join(',')} />
      </div>
    </>
  );
}
