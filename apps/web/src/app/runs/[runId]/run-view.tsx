'use client';

import { runRoom, terminalRunStatuses, type ArtifactRecord, type Run, type RunDetail } from '@equilab/contracts';
import Link from 'next/link';
import { useEffect, useMemo, useState } from 'react';
import { AnnotationEditor } from '@/components/annotation-editor';
import { EvaluationRequestPanel } from '@/components/evaluation-request';
import { EvaluationTableView } from '@/components/evaluation-table';
import { KeyValueTable } from '@/components/key-value-table';
import { LiveIndicator } from '@/components/live-indicator';
import { MetricChartsSection } from '@/components/metric-charts';
import { DetailHeader, buttonClass, dangerButtonClass } from '@/components/page-header';
import { Panel } from '@/components/panel';
import { RunProgressView } from '@/components/run-progress';
import { Async, Empty, ErrorState } from '@/components/states';
import { api } from '@/lib/api.client';
import { download } from '@/lib/download';
import { colourFor, flatten, formatBytes, formatDate, formatValue, shortId } from '@/lib/format';
import { runProgress } from '@/lib/progress';
import { mergeRun } from '@/lib/run-merge';
import { setProjectId } from '@/lib/settings.store';
import { useLive } from '@/lib/socket.client';
import { useAction } from '@/lib/use-action.hook';
import { useApi } from '@/lib/use-api.hook';
import { useRunSeries, type SeriesByRun, type StepWindow } from '@/lib/use-run-series.hook';

function Field({ label, children, wide = false }: { label: string; children: React.ReactNode; wide?: boolean }) {
  return (
    <div className={`min-w-0 ${wide ? 'col-span-2 sm:col-span-1' : ''}`}>
      <dt className="text-xs text-slate-500 dark:text-slate-400">{label}</dt>
      <dd className="truncate text-sm">{children}</dd>
    </div>
  );
}

/** Progress, epoch, throughput, placement and times of a run. */
function RunFacts({ run }: { run: RunDetail }) {
  return (
    <section aria-label="Run details" className="mb-4 grid grid-cols-2 gap-3 rounded-lg border border-slate-200 p-3 sm:gap-4 sm:p-4 lg:grid-cols-4 dark:border-slate-800">
      <dl className="contents">
        <Field label="Progress" wide>
          <RunProgressView run={run} />
        </Field>
        <Field label="Epochs">
          <span data-testid="epochs">{runProgress(run).epochs}</span>
        </Field>
        <Field label="Throughput">{run.imagesPerSecond !== null ? `${run.imagesPerSecond.toFixed(1)} img/s` : '—'}</Field>
        <Field label="Attempt">{run.attempt}</Field>
        <Field label="Runner">{run.runnerId ? <span className="font-mono text-xs">{shortId(run.runnerId)}</span> : '—'}</Field>
        <Field label="Backend">
          {run.backend ?? '—'} (requested {run.requestedBackend}){run.threads ? `, ${run.threads} threads` : ''}
        </Field>
        <Field label="Device">{run.device ?? '—'}</Field>
        <Field label="Seed">{run.seed}</Field>
        <Field label="Created">{formatDate(run.createdAt)}</Field>
        <Field label="Started">{formatDate(run.startedAt)}</Field>
        <Field label="Finished">{formatDate(run.finishedAt)}</Field>
        <Field label="Heartbeat">{formatDate(run.heartbeatAt)}</Field>
      </dl>
    </section>
  );
}

/** The latest value of every metric: the live series' last point when it is newer than the run's record. */
function latestRows(run: RunDetail, series: SeriesByRun) {
  return Object.entries(run.latestMetrics)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, recorded]) => {
      const points = series[run.id]?.[key];
      const last = points?.[points.length - 1];
      const value = last && last.step >= recorded.step ? last : recorded;
      // Metric steps are indexes from 0: the value of the 20th step done reads "step 19".
      return { key, value: formatValue(value.value), note: `step ${value.step}` };
    });
}

/** Artifacts with a download link each (`GET /api/artifacts/:id/content`, fetched with the token). */
function ArtifactList({ items }: { items: readonly ArtifactRecord[] }) {
  const action = useAction();
  if (items.length === 0) return <p className="text-xs text-slate-500">none yet</p>;
  return (
    <ul className="space-y-1 text-xs" data-testid="artifact-list">
      {action.error ? <li className="text-red-700 dark:text-red-400">{action.error.message}</li> : null}
      {items.map((a) => (
        <li key={a.id} className="flex justify-between gap-2">
          <a
            href={`/api/artifacts/${a.id}/content`}
            className="truncate font-mono text-sky-700 hover:underline dark:text-sky-400"
            title={`download ${a.path}\nsha256 ${a.sha256}`}
            data-testid="artifact-download"
            onClick={(e) => {
              e.preventDefault();
              action.run(() => download(`/artifacts/${a.id}/content`, undefined, a.path.split('/').pop() ?? a.id));
            }}
          >
            {a.kind}
            {a.step !== null ? ` @${a.step}` : ''} · {a.path.split('/').pop()}
          </a>
          <span className="shrink-0 text-slate-500">{formatBytes(a.size)}</span>
        </li>
      ))}
    </ul>
  );
}

export function RunView({ runId }: { runId: string }) {
  const run = useApi<RunDetail>(`run:${runId}`, (signal) => api<RunDetail>(`/runs/${runId}`, { signal }));
  const artifacts = useApi<{ items: ArtifactRecord[] }>(`artifacts:${runId}`, (signal) => api<{ items: ArtifactRecord[] }>(`/runs/${runId}/artifacts`, { signal }));
  const ids = useMemo(() => [runId], [runId]);
  // A zoom on the charts loads the visible step range again, so its min/max band is recomputed for that range.
  const [stepWindow, setStepWindow] = useState<StepWindow>(null);
  const metrics = useRunSeries(ids, 1000, stepWindow);
  const action = useAction();

  useLive([runRoom(runId)], {
    run: ({ run: next }) => {
      run.setData((previous) => (previous ? mergeRun(previous, next) : previous));
      if (next.status !== 'running') artifacts.reload();
    },
  });

  const act = (verb: 'cancel' | 'retry') =>
    action.run(async () => {
      const next = await api<Run | undefined>(`/runs/${runId}/${verb}`, { method: 'POST' });
      if (next && typeof next === 'object' && 'status' in next) run.setData((previous) => (previous ? mergeRun(previous, next) : previous));
      else run.reload();
    });

  const projectId = run.data?.projectId;
  useEffect(() => {
    if (projectId) setProjectId(projectId);
  }, [projectId]);

  return (
    <Async
      state={run}
      loadingLabel="Loading run…"
      notFound={<Empty title="Run not found">No run has id {runId}.</Empty>}
    >
      {(data) => {
        const terminal = terminalRunStatuses.includes(data.status);
        const config = Object.entries(flatten(data.config)).map(([key, value]) => ({ key, value: formatValue(value), emphasis: data.sweepParams !== null && key in data.sweepParams }));
        const latest = latestRows(data, metrics.series);
        return (
          <>
            <DetailHeader
              subject={data}
              actions={
                <>
                  {!terminal ? (
                    <button type="button" className={dangerButtonClass} disabled={action.busy} onClick={() => act('cancel')} data-testid="cancel-run">
                      Cancel run
                    </button>
                  ) : null}
                  <button
                    type="button"
                    className={buttonClass}
                    disabled={action.busy}
                    onClick={() => action.run(() => download(`/runs/${data.id}/metrics/export`, { format: 'csv' }, `run-${shortId(data.id)}-metrics.csv`))}
                    data-testid="export-run-metrics"
                  >
                    Metrics CSV
                  </button>
                  {data.status === 'failed' || data.status === 'canceled' ? (
                    <button type="button" className={buttonClass} disabled={action.busy} onClick={() => act('retry')} data-testid="retry-run">
                      Retry
                    </button>
                  ) : null}
                </>
              }
            >
              <span>{data.method}</span>
              <span className="font-mono text-xs">{shortId(data.id)}</span>
              {data.sweepId ? (
                <Link href={`/sweeps/${data.sweepId}`} className="text-sky-700 hover:underline dark:text-sky-400">
                  sweep {shortId(data.sweepId)}
                </Link>
              ) : null}
              <LiveIndicator status={metrics.live} />
            </DetailHeader>
            {action.error ? <ErrorState error={action.error} /> : null}
            {data.error ? (
              <pre className="mb-4 max-h-40 overflow-auto rounded border border-red-300 bg-red-50 p-3 text-xs text-red-800 dark:border-red-900 dark:bg-red-950/40 dark:text-red-200">{data.error}</pre>
            ) : null}

            <AnnotationEditor subject={data} path={`/runs/${data.id}`} onSaved={(next) => run.setData((previous) => (previous ? mergeRun(previous, next) : previous))} />
            <RunFacts run={data} />
            <EvaluationRequestPanel runId={data.id} method={data.method} succeeded={data.status === 'succeeded'} />
            {data.status === 'succeeded' ? <EvaluationTableView scope={{ runIds: [data.id] }} title="Evaluation table" /> : null}
            {/* grid-cols-1 (minmax(0, 1fr)): a long metric key in the aside must not widen the column past a narrow screen. */}
            <div className="grid grid-cols-1 gap-4 lg:grid-cols-[minmax(0,1fr)_22rem]">
              <MetricChartsSection
                title="Metrics"
                className="min-w-0"
                keys={metrics.keys}
                layoutScope={data.projectId}
                onStepRange={setStepWindow}
                seriesFor={(key, options) => [
                  {
                    label: data.name,
                    colour: colourFor(0),
                    points: metrics.series[runId]?.[key] ?? [],
                    band: metrics.bands[runId]?.[key],
                    xPoints: options.xKey ? metrics.series[runId]?.[options.xKey] : undefined,
                  },
                ]}
                error={metrics.error}
                loading={metrics.loading}
                loadingLabel="Loading metrics…"
                empty={<Empty title="No metrics yet">Charts appear as soon as the runner reports points.</Empty>}
              />
              <aside className="min-w-0 space-y-4">
                <Panel id="config-title" title="Config">
                  <KeyValueTable rows={config} valueClassName="break-all" testId="run-config" />
                </Panel>
                <Panel id="latest-title" title="Latest values">
                  {latest.length === 0 ? (
                    <p className="text-xs text-slate-500">none yet</p>
                  ) : (
                    <div className="overflow-x-auto">
                      <KeyValueTable rows={latest} valueClassName="whitespace-nowrap tabular-nums" />
                    </div>
                  )}
                </Panel>
                <Panel id="artifacts-title" title="Checkpoints & artifacts">
                  <Async state={artifacts} loadingLabel="Loading artifacts…">
                    {(list) => <ArtifactList items={list.items} />}
                  </Async>
                </Panel>
              </aside>
            </div>
          </>
        );
      }}
    </Async>
  );
}
