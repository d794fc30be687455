'use client';

import { sweepRoom, type Run, type SweepDetail } from '@equilab/contracts';
import Link from 'next/link';
import { useEffect, useMemo, useState } from 'react';
import { DataTable, linkColumn, statusColumn, type TableColumn } from '@/components/data-table';
import { EvaluationTableView } from '@/components/evaluation-table';
import { LiveIndicator } from '@/components/live-indicator';
import { DetailHeader, buttonClass, dangerButtonClass, inputClass } from '@/components/page-header';
import { Panel } from '@/components/panel';
import { ParallelCoordinates } from '@/components/parallel-coordinates';
import { Select } from '@/components/select';
import { AnnotationEditor } from '@/components/annotation-editor';
import { RunProgressView } from '@/components/run-progress';
import { Async, Empty, ErrorState } from '@/components/states';
import { api } from '@/lib/api.client';
import { formatDate, formatNumber, formatValue } from '@/lib/format';
import { preferredMetric } from '@/lib/metric-defaults';
import { fetchMetricSummaries, summaryKeys, summaryOf, type SummariesByRun } from '@/lib/metric-summaries';
import { lowerIsBetter } from '@/lib/metric-groups';
import { upsertRun } from '@/lib/run-merge';
import { useLive } from '@/lib/socket.client';
import { useAction } from '@/lib/use-action.hook';
import { useApi } from '@/lib/use-api.hook';
import { useTick } from '@/lib/use-interval.hook';
import { bestRun, firstRungPoints, parameterImportance, type SweepPoint } from '@/lib/sweep-analysis';
import { BestRunPanel, ImportancePanel, RungsPanel, ScatterPanel } from './sweep-panels';

/** Summaries are refreshed this often while runs train. */
const REFRESH_MS = 15_000;

/**
 * Metric summaries of the sweep's runs that have started (for the parallel-coordinates metric axis and the runs
 * table): asked again when a run changes state, and every 15 s while runs are training.
 */
function useSweepSummaries(runs: readonly Run[]): SummariesByRun {
  const [summaries, setSummaries] = useState<SummariesByRun>({});
  const started = runs.filter((r) => r.status !== 'queued');
  const startedKey = started.map((r) => `${r.id}:${r.status}`).join(',');
  const tick = useTick(REFRESH_MS, runs.some((r) => r.status === 'running'));
  useEffect(() => {
    if (startedKey === '') return undefined;
    const controller = new AbortController();
    const ids = startedKey.split(',').map((entry) => entry.slice(0, entry.indexOf(':')));
    fetchMetricSummaries(ids, controller.signal).then(setSummaries, () => undefined);
    return () => controller.abort();
  }, [startedKey, tick]);
  return summaries;
}

function runColumns(params: readonly string[], metricKey: string, summaries: SummariesByRun): TableColumn<Run>[] {
  return [
    linkColumn('run', 'Run', (run) => `/runs/${run.id}`),
    statusColumn(),
    ...params.map((p): TableColumn<Run> => ({ key: `param:${p}`, header: p, headerClassName: 'font-mono', className: 'font-mono text-xs', cell: (run) => formatValue(run.sweepParams?.[p]) })),
    {
      key: 'metric',
      header: metricKey || 'metric',
      className: 'font-mono text-xs',
      cell: (run) => {
        const value = summaryOf(summaries, run.id, metricKey)?.last;
        return value === undefined ? '—' : formatNumber(value);
      },
    },
    { key: 'progress', header: 'Progress', cell: (run) => <RunProgressView run={run} /> },
    { key: 'created', header: 'Created', className: 'text-xs text-slate-500', cell: (run) => formatDate(run.createdAt) },
  ];
}

function statusCounts(runs: readonly Run[]): string {
  const counts = new Map<string, number>();
  for (const run of runs) counts.set(run.status, (counts.get(run.status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${n} ${status}`).join(' · ');
}

export function SweepView({ sweepId }: { sweepId: string }) {
  const sweep = useApi<SweepDetail>(`sweep:${sweepId}`, (signal) => api<SweepDetail>(`/sweeps/${sweepId}`, { signal }));
  const [metricChoice, setMetricChoice] = useState<string>('');
  const action = useAction();

  const live = useLive([sweepRoom(sweepId)], {
    run: ({ run }) => sweep.setData((previous) => (previous ? { ...previous, runs: [...upsertRun(previous.runs, run, 'last')] } : previous)),
  });

  const summaries = useSweepSummaries(sweep.data?.runs ?? []);
  const metricKeys = useMemo(() => summaryKeys(summaries), [summaries]);
  const ashaMetric = sweep.data?.asha?.metric;
  const metricKey = metricChoice || ashaMetric || preferredMetric(metricKeys) || '';

  const cancel = () =>
    action.run(async () => {
      await api(`/sweeps/${sweepId}/cancel`, { method: 'POST' });
      sweep.reload();
    });

  return (
    <Async state={sweep} loadingLabel="Loading sweep…" notFound={<Empty title="Sweep not found" />}>
      {(data) => {
        const params = Object.keys(data.searchSpace);
        const rows = data.runs.map((run) => ({ id: run.id, label: run.name, values: run.sweepParams ?? {}, metric: summaryOf(summaries, run.id, metricKey)?.last }));
        // ASHA runs stop at different budgets: compare them at the first rung, where every run had the same.
        const atFirstRung = Boolean(data.asha && metricKey === data.asha.metric);
        const points: SweepPoint[] = atFirstRung
          ? firstRungPoints(data)
          : rows.flatMap((r) => (r.metric === undefined ? [] : [{ runId: r.id, params: r.values, value: r.metric }]));
        const lower = data.asha && metricKey === data.asha.metric ? data.asha.mode === 'min' : lowerIsBetter(metricKey);
        const best = bestRun(metricKey === data.asha?.metric ? data : { asha: null, rungs: [] }, rows.flatMap((r) => (r.metric === undefined ? [] : [{ runId: r.id, params: r.values, value: r.metric }])), lower);
        const basis = atFirstRung ? `Values at the first rung (${data.rungs.find((r) => r.rung === 0)?.epochs ?? data.asha?.minEpochs} epochs), where every run had the same budget.` : 'Values: each run’s last logged value.';
        return (
          <>
            <DetailHeader
              subject={data}
              actions={
                <>
                  <Link href={`/compare?runs=${data.runs.slice(0, 10).map((r) => r.id).join(',')}`} className={buttonClass}>
                    Compare runs
                  </Link>
                  {data.status === 'running' ? (
                    <button type="button" className={dangerButtonClass} onClick={cancel} disabled={action.busy} data-testid="cancel-sweep">
                      Cancel sweep
                    </button>
                  ) : null}
                </>
              }
            >
              <span>
                {data.method} · {data.strategy} · {data.runs.length} runs{data.replicates > 1 ? ` (${data.replicates} seeds per configuration)` : ''} · max {data.maxConcurrency} at once
              </span>
              <span>{statusCounts(data.runs)}</span>
              <LiveIndicator status={live} />
            </DetailHeader>
            {action.error ? <ErrorState error={action.error} /> : null}
            <AnnotationEditor subject={data} path={`/sweeps/${data.id}`} onSaved={(next) => sweep.setData((previous) => (previous ? { ...previous, name: next.name, tags: next.tags, notes: next.notes } : previous))} />

            <BestRunPanel sweep={data} best={best} metricKey={metricKey} />
            <RungsPanel sweep={data} />

            <Panel
              id="pc-title"
              title="Hyperparameters against a metric"
              className="mb-4"
              actions={
                <label className="flex min-w-0 items-center gap-2 text-sm">
                  <span>Metric</span>
                  <Select value={metricKey} options={metricKeys} onChange={setMetricChoice} disabled={metricKeys.length === 0} className={`${inputClass} max-w-[55vw] sm:max-w-md`} aria-label="Metric" />
                </label>
              }
            >
              {metricKeys.length === 0 ? (
                <p className="text-sm text-slate-500">No metrics yet — the plot appears when runs report values.</p>
              ) : (
                <div className="overflow-x-auto">
                  <ParallelCoordinates rows={rows} params={params} metricKey={metricKey} lowerIsBetter={lowerIsBetter(metricKey)} />
                </div>
              )}
            </Panel>

            <ImportancePanel importance={parameterImportance(points, params)} metricKey={metricKey} basis={basis} />
            <ScatterPanel points={points} params={params} metricKey={metricKey} />

            <EvaluationTableView scope={{ sweepId }} />
            <Panel id="sweep-runs-title" title="Runs" flush>
              {data.runs.length === 0 ? (
                <p className="p-3 text-sm text-slate-500">No runs.</p>
              ) : (
                <div className="overflow-x-auto">
                  <DataTable density="padded" columns={runColumns(params, metricKey, summaries)} rows={data.runs} rowKey={(run) => run.id} rowAttributes={(run) => ({ 'data-run-id': run.id })} testId="sweep-runs" />
                </div>
              )}
            </Panel>
          </>
        );
      }}
    </Async>
  );
}
