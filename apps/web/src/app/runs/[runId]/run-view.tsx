'use client';

import { runRoom, terminalRunStatuses, type ArtifactRecord, type Run, type RunDetail } from '@equilab/contracts';
import Link from 'next/link';
import { useEffect, useMemo, useState } from 'react';
import { LiveIndicator } from '@/components/live-indicator';
import { ChartControls, MetricChart, type ChartOptions } from '@/components/metric-chart';
import { PageHeader, buttonClass, dangerButtonClass } from '@/components/page-header';
import { ProgressBar, StatusBadge } from '@/components/status-badge';
import { Async, Empty, ErrorState, Loading } from '@/components/states';
import { ApiError, api } from '@/lib/api.client';
import { colourFor, flatten, formatBytes, formatDate, formatDuration, formatValue, shortId } from '@/lib/format';
import { groupMetricKeys } from '@/lib/metric-groups';
import { mergeRun } from '@/lib/run-merge';
import { setProjectId } from '@/lib/settings.store';
import { useLive } from '@/lib/socket.client';
import { useApi } from '@/lib/use-api.hook';
import { useRunSeries } from '@/lib/use-run-series.hook';
import { EvaluationRequestPanel } from '@/components/evaluation-request';

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-slate-500 dark:text-slate-400">{label}</dt>
      <dd className="truncate text-sm">{children}</dd>
    </div>
  );
}

export function RunView({ runId }: { runId: string }) {
  const run = useApi<RunDetail>(`run:${runId}`, (signal) => api<RunDetail>(`/runs/${runId}`, { signal }));
  const artifacts = useApi<{ items: ArtifactRecord[] }>(`artifacts:${runId}`, (signal) => api<{ items: ArtifactRecord[] }>(`/runs/${runId}/artifacts`, { signal }));
  const ids = useMemo(() => [runId], [runId]);
  const metrics = useRunSeries(ids);
  const [options, setOptions] = useState<ChartOptions>({ smoothing: 0, logScale: false, xAxis: 'step' });
  const [actionError, setActionError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);

  useLive([runRoom(runId)], {
    run: ({ run: next }) => {
      run.setData((previous) => (previous ? mergeRun(previous, next) : previous));
      if (next.status !== 'running') artifacts.reload();
    },
  });

  const act = async (action: 'cancel' | 'retry') => {
    setBusy(true);
    setActionError(null);
    try {
      const next = await api<Run>(`/runs/${runId}/${action}`, { method: 'POST' });
      if (next && typeof next === 'object' && 'status' in next) run.setData((previous) => (previous ? mergeRun(previous, next) : previous));
      else run.reload();
    } catch (reason) {
      setActionError(reason as Error);
    } finally {
      setBusy(false);
    }
  };

  const groups = groupMetricKeys(metrics.keys);
  const projectId = run.data?.projectId;
  useEffect(() => {
    if (projectId) setProjectId(projectId);
  }, [projectId]);

  if (run.error && !run.data) {
    return run.error instanceof ApiError && run.error.status === 404 ? <Empty title="Run not found">No run has id {runId}.</Empty> : <ErrorState error={run.error} onRetry={run.reload} />;
  }
  if (!run.data) return <Loading label="Loading run…" />;
  const data = run.data;
  const terminal = terminalRunStatuses.includes(data.status);
  const config = flatten(data.config);

  return (
    <>
      <PageHeader
        title={data.name}
        subtitle={
          <span className="flex flex-wrap items-center gap-3">
            <StatusBadge status={data.status} />
            <span>{data.method}</span>
            <span className="font-mono text-xs">{shortId(data.id)}</span>
            {data.sweepId ? (
              <Link href={`/sweeps/${data.sweepId}`} className="text-sky-700 hover:underline dark:text-sky-400">
                sweep {shortId(data.sweepId)}
              </Link>
            ) : null}
            <LiveIndicator status={metrics.live} />
          </span>
        }
        actions={
          <>
            <Link href={`/projects/${data.projectId}/runs`} className={buttonClass}>
              All runs
            </Link>
            {!terminal ? (
              <button type="button" className={dangerButtonClass} disabled={busy} onClick={() => act('cancel')} data-testid="cancel-run">
                Cancel run
              </button>
            ) : null}
            {data.status === 'failed' || data.status === 'canceled' ? (
              <button type="button" className={buttonClass} disabled={busy} onClick={() => act('retry')} data-testid="retry-run">
                Retry
              </button>
            ) : null}
          </>
        }
      />
      {actionError ? <ErrorState error={actionError} /> : null}
      {data.error ? (
        <pre className="mb-4 max-h-40 overflow-auto rounded border border-red-300 bg-red-50 p-3 text-xs text-red-800 dark:border-red-900 dark:bg-red-950/40 dark:text-red-200">{data.error}</pre>
      ) : null}

      <section aria-label="Run details" className="mb-4 grid gap-4 rounded-lg border border-slate-200 p-4 sm:grid-cols-2 lg:grid-cols-4 dark:border-slate-800">
        <dl className="contents">
          <Field label="Progress">
            {data.status === 'running' ? <ProgressBar step={data.step} total={data.totalSteps} eta={formatDuration(data.etaSeconds)} /> : data.step !== null ? `step ${data.step}${data.totalSteps ? ` / ${data.totalSteps}` : ''}` : '—'}
          </Field>
          <Field label="Epoch">{data.epoch !== null ? `${data.epoch}${data.totalEpochs ? ` / ${data.totalEpochs}` : ''}` : '—'}</Field>
          <Field label="Throughput">{data.imagesPerSecond !== null ? `${data.imagesPerSecond.toFixed(1)} img/s` : '—'}</Field>
          <Field label="Attempt">{data.attempt}</Field>
          <Field label="Runner">{data.runnerId ? <span className="font-mono text-xs">{shortId(data.runnerId)}</span> : '—'}</Field>
          <Field label="Backend">
            {data.backend ?? '—'} (requested {data.requestedBackend}){data.threads ? `, ${data.threads} threads` : ''}
          </Field>
          <Field label="Device">{data.device ?? '—'}</Field>
          <Field label="Seed">{data.seed}</Field>
          <Field label="Created">{formatDate(data.createdAt)}</Field>
          <Field label="Started">{formatDate(data.startedAt)}</Field>
          <Field label="Finished">{formatDate(data.finishedAt)}</Field>
          <Field label="Heartbeat">{formatDate(data.heartbeatAt)}</Field>
        </dl>
      </section>

      <EvaluationRequestPanel runId={data.id} succeeded={data.status === 'succeeded'} />
      <div className="grid gap-4 lg:grid-cols-[1fr_22rem]">
        <section aria-labelledby="charts-title" className="min-w-0">
          <div className="mb-3 flex flex-wrap items-center justify-between gap-3">
            <h2 id="charts-title" className="text-base font-semibold">
              Metrics
            </h2>
            <ChartControls value={options} onChange={setOptions} />
          </div>
          {metrics.error ? <ErrorState error={metrics.error} /> : null}
          {metrics.loading && metrics.keys.length === 0 ? <Loading label="Loading metrics…" /> : null}
          {!metrics.loading && !metrics.error && metrics.keys.length === 0 ? <Empty title="No metrics yet">Charts appear as soon as the runner reports points.</Empty> : null}
          {groups.map((group) => (
            <details key={group.name} open className="mb-4" data-testid="metric-group" data-group={group.name}>
              <summary className="mb-2 cursor-pointer text-sm font-semibold text-slate-700 dark:text-slate-300">
                {group.name} <span className="font-normal text-slate-400">({group.keys.length})</span>
              </summary>
              <div className="grid gap-3 sm:grid-cols-2 2xl:grid-cols-3">
                {group.keys.map((key) => (
                  <MetricChart key={key} title={key} options={options} series={[{ label: data.name, colour: colourFor(0), points: metrics.series[runId]?.[key] ?? [] }]} />
                ))}
              </div>
            </details>
          ))}
        </section>

        <aside className="space-y-4">
          <section aria-labelledby="config-title" className="rounded-lg border border-slate-200 p-3 dark:border-slate-800">
            <h2 id="config-title" className="mb-2 text-sm font-semibold">
              Config
            </h2>
            <table className="w-full text-xs" data-testid="run-config">
              <tbody>
                {Object.entries(config).map(([key, value]) => (
                  <tr key={key} className={`border-t border-slate-100 dark:border-slate-800 ${data.sweepParams && key in data.sweepParams ? 'font-semibold' : ''}`}>
                    <th scope="row" className="py-1 pr-2 text-left font-mono font-normal text-slate-500">
                      {key}
                    </th>
                    <td className="py-1 text-right font-mono break-all">{formatValue(value)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section aria-labelledby="latest-title" className="rounded-lg border border-slate-200 p-3 dark:border-slate-800">
            <h2 id="latest-title" className="mb-2 text-sm font-semibold">
              Latest values
            </h2>
            {Object.keys(data.latestMetrics).length === 0 ? (
              <p className="text-xs text-slate-500">none yet</p>
            ) : (
              <table className="w-full text-xs">
                <tbody>
                  {Object.entries(data.latestMetrics)
                    .sort(([a], [b]) => a.localeCompare(b))
                    .map(([key, m]) => {
                      const livePoints = metrics.series[runId]?.[key];
                      const last = livePoints?.[livePoints.length - 1];
                      const value = last && last.step >= m.step ? last : m;
                      return (
                        <tr key={key} className="border-t border-slate-100 dark:border-slate-800">
                          <th scope="row" className="py-1 pr-2 text-left font-mono font-normal text-slate-500">
                            {key}
                          </th>
                          <td className="py-1 text-right font-mono tabular-nums">{formatValue(value.value)}</td>
                          <td className="py-1 pl-2 text-right text-slate-400 tabular-nums">@{value.step}</td>
                        </tr>
                      );
                    })}
                </tbody>
              </table>
            )}
          </section>
          <section aria-labelledby="artifacts-title" className="rounded-lg border border-slate-200 p-3 dark:border-slate-800">
            <h2 id="artifacts-title" className="mb-2 text-sm font-semibold">
              Checkpoints &amp; artifacts
            </h2>
            <Async state={artifacts} loadingLabel="Loading artifacts…">
              {(list) =>
                list.items.length === 0 ? (
                  <p className="text-xs text-slate-500">none yet</p>
                ) : (
                  <ul className="space-y-1 text-xs">
                    {list.items.map((a) => (
                      <li key={a.id} className="flex justify-between gap-2">
                        <span className="truncate font-mono" title={`${a.path}\nsha256 ${a.sha256}`}>
                          {a.kind}
                          {a.step !== null ? ` @${a.step}` : ''} · {a.path.split('/').pop()}
                        </span>
                        <span className="shrink-0 text-slate-500">{formatBytes(a.size)}</span>
                      </li>
                    ))}
                  </ul>
                )
              }
            </Async>
          </section>
        </aside>
      </div>
    </>
  );
}
