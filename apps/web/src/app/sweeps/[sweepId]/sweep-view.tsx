'use client';

import { sweepRoom, type MetricSummaryResponse, type SweepDetail } from '@equilab/contracts';
import Link from 'next/link';
import { useEffect, useMemo, useState } from 'react';
import { LiveIndicator } from '@/components/live-indicator';
import { PageHeader, buttonClass, dangerButtonClass, inputClass } from '@/components/page-header';
import { ParallelCoordinates } from '@/components/parallel-coordinates';
import { ProgressBar, StatusBadge } from '@/components/status-badge';
import { Empty, ErrorState, Loading } from '@/components/states';
import { ApiError, api } from '@/lib/api.client';
import { formatDate, formatDuration, formatNumber, formatValue } from '@/lib/format';
import { lowerIsBetter } from '@/lib/metric-groups';
import { mergeRun } from '@/lib/run-merge';
import { useLive } from '@/lib/socket.client';
import { useApi } from '@/lib/use-api.hook';
import { EvaluationTableView } from '@/components/evaluation-table';

export function SweepView({ sweepId }: { sweepId: string }) {
  const sweep = useApi<SweepDetail>(`sweep:${sweepId}`, (signal) => api<SweepDetail>(`/sweeps/${sweepId}`, { signal }));
  const [summaries, setSummaries] = useState<Record<string, MetricSummaryResponse['metrics']>>({});
  const [metricKey, setMetricKey] = useState<string>('');
  const [actionError, setActionError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);

  const live = useLive([sweepRoom(sweepId)], {
    run: ({ run }) =>
      sweep.setData((previous) => {
        if (!previous) return previous;
        const index = previous.runs.findIndex((r) => r.id === run.id);
        const runs = index >= 0 ? previous.runs.map((r) => (r.id === run.id ? mergeRun(r, run) : r)) : [...previous.runs, run];
        return { ...previous, runs };
      }),
  });

  // Metric summaries of finished/running runs (for the parallel-coordinates metric axis).
  // Refreshed when a run changes state, and every 15 s while runs are training.
  const runIdsWithMetrics = (sweep.data?.runs ?? []).filter((r) => r.status !== 'queued').map((r) => `${r.id}:${r.status}`).join(',');
  const anyRunning = (sweep.data?.runs ?? []).some((r) => r.status === 'running');
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!anyRunning) return undefined;
    const timer = setInterval(() => setTick((t) => t + 1), 15_000);
    return () => clearInterval(timer);
  }, [anyRunning]);
  useEffect(() => {
    if (!runIdsWithMetrics) return;
    let stop = false;
    const ids = runIdsWithMetrics.split(',').map((s) => s.split(':')[0] as string);
    Promise.all(ids.map(async (id) => [id, (await api<MetricSummaryResponse>(`/runs/${id}/metrics/summary`)).metrics] as const))
      .then((entries) => {
        if (!stop) setSummaries(Object.fromEntries(entries));
      })
      .catch(() => undefined);
    return () => {
      stop = true;
    };
  }, [runIdsWithMetrics, tick]);

  const metricKeys = useMemo(() => [...new Set(Object.values(summaries).flatMap((list) => list.map((m) => m.key)))].sort(), [summaries]);
  const chosen = metricKey || metricKeys.find((k) => k.startsWith('Loss/')) || metricKeys[0] || '';

  const cancel = async () => {
    setBusy(true);
    setActionError(null);
    try {
      await api(`/sweeps/${sweepId}/cancel`, { method: 'POST' });
      sweep.reload();
    } catch (reason) {
      setActionError(reason as Error);
    } finally {
      setBusy(false);
    }
  };

  if (sweep.error && !sweep.data) {
    return sweep.error instanceof ApiError && sweep.error.status === 404 ? <Empty title="Sweep not found" /> : <ErrorState error={sweep.error} onRetry={sweep.reload} />;
  }
  if (!sweep.data) return <Loading label="Loading sweep…" />;
  const data = sweep.data;
  const params = Object.keys(data.searchSpace);
  const counts = data.runs.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {});
  const rows = data.runs.map((run) => ({ id: run.id, label: run.name, values: run.sweepParams ?? {}, metric: summaries[run.id]?.find((m) => m.key === chosen)?.last }));

  return (
    <>
      <PageHeader
        title={data.name}
        subtitle={
          <span className="flex flex-wrap items-center gap-3">
            <StatusBadge status={data.status} />
            <span>
              {data.method} · {data.strategy} · {data.runs.length} runs · max {data.maxConcurrency} at once
            </span>
            <span>{Object.entries(counts).map(([s, n]) => `${n} ${s}`).join(' · ')}</span>
            <LiveIndicator status={live} />
          </span>
        }
        actions={
          <>
            <Link href={`/projects/${data.projectId}/runs`} className={buttonClass}>
              All runs
            </Link>
            <Link href={`/compare?runs=${data.runs.slice(0, 10).map((r) => r.id).join(',')}`} className={buttonClass}>
              Compare runs
            </Link>
            {data.status === 'running' ? (
              <button type="button" className={dangerButtonClass} onClick={cancel} disabled={busy} data-testid="cancel-sweep">
                Cancel sweep
              </button>
            ) : null}
          </>
        }
      />
      {actionError ? <ErrorState error={actionError} /> : null}

      <section aria-labelledby="pc-title" className="mb-4 rounded-lg border border-slate-200 p-3 dark:border-slate-800">
        <div className="mb-2 flex flex-wrap items-center justify-between gap-2">
          <h2 id="pc-title" className="text-sm font-semibold">
            Hyperparameters against a metric
          </h2>
          <label className="flex items-center gap-2 text-sm">
            <span>Metric</span>
            <select value={chosen} onChange={(e) => setMetricKey(e.target.value)} className={inputClass} disabled={metricKeys.length === 0}>
              {metricKeys.map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
          </label>
        </div>
        {metricKeys.length === 0 ? (
          <p className="text-sm text-slate-500">No metrics yet — the plot appears when runs report values.</p>
        ) : (
          <div className="overflow-x-auto">
            <ParallelCoordinates rows={rows} params={params} metricKey={chosen} lowerIsBetter={lowerIsBetter(chosen)} />
          </div>
        )}
      </section>

      <EvaluationTableView scope={{ sweepId }} />
      <section aria-labelledby="sweep-runs-title" className="rounded-lg border border-slate-200 dark:border-slate-800">
        <h2 id="sweep-runs-title" className="px-3 pt-3 text-sm font-semibold">
          Runs
        </h2>
        {data.runs.length === 0 ? (
          <p className="p-3 text-sm text-slate-500">No runs.</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-sm" data-testid="sweep-runs">
              <thead className="text-left text-xs text-slate-500">
                <tr>
                  <th scope="col" className="px-3 py-2">
                    Run
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Status
                  </th>
                  {params.map((p) => (
                    <th key={p} scope="col" className="px-3 py-2 font-mono">
                      {p}
                    </th>
                  ))}
                  <th scope="col" className="px-3 py-2">
                    {chosen || 'metric'}
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Progress
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Created
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.runs.map((run) => (
                  <tr key={run.id} className="border-t border-slate-100 dark:border-slate-800" data-run-id={run.id}>
                    <td className="px-3 py-1.5">
                      <Link href={`/runs/${run.id}`} className="text-sky-700 hover:underline dark:text-sky-400">
                        {run.name}
                      </Link>
                    </td>
                    <td className="px-3 py-1.5">
                      <StatusBadge status={run.status} />
                    </td>
                    {params.map((p) => (
                      <td key={p} className="px-3 py-1.5 font-mono text-xs">
                        {formatValue(run.sweepParams?.[p])}
                      </td>
                    ))}
                    <td className="px-3 py-1.5 font-mono text-xs">{(() => {
                      const v = summaries[run.id]?.find((m) => m.key === chosen)?.last;
                      return v === undefined ? '—' : formatNumber(v);
                    })()}</td>
                    <td className="px-3 py-1.5">{run.status === 'running' ? <ProgressBar step={run.step} total={run.totalSteps} eta={formatDuration(run.etaSeconds)} /> : '—'}</td>
                    <td className="px-3 py-1.5 text-xs text-slate-500">{formatDate(run.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
