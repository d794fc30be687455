'use client';

import type { MetricSummaryResponse } from '@equilab/contracts';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useMemo, useState } from 'react';
import { LiveIndicator } from '@/components/live-indicator';
import { PageHeader, buttonClass, primaryButtonClass } from '@/components/page-header';
import { Empty, ErrorState, Loading } from '@/components/states';
import { api } from '@/lib/api.client';
import { download } from '@/lib/download';
import { useAction } from '@/lib/use-action.hook';
import { setProjectId } from '@/lib/settings.store';
import { useApi } from '@/lib/use-api.hook';
import { useTick } from '@/lib/use-interval.hook';
import { groupByOptions, groupRuns, runsOfRows, serializeGroupBy, tableRows } from './run-groups';
import { runColumns, runMethods, sweepParamKeys } from './runs-columns';
import { RunsFilters } from './runs-filters';
import { needsEveryRun, nextSort, searchRuns, serializeRunsQuery, serverQuery, shownMetricColumns, sortRuns, useRunsQuery } from './runs-query';
import { SavedViews } from './saved-views';
import { RunsTable, type RowRange } from './runs-table';
import { REFRESH_MS, useLatestValues } from './use-latest-values.hook';
import { useRunPages } from './use-run-pages.hook';

/** Rows from the end of what is loaded at which the next page is asked for. */
const PREFETCH_ROWS = 100;

/** The metric keys offered as columns: those of a run that has metrics (a succeeded one, else a running one). */
function useMetricKeys(sourceRunId: string | undefined): string[] {
  const summary = useApi<MetricSummaryResponse>(sourceRunId ? `metric-keys:${sourceRunId}` : null, (signal) => api<MetricSummaryResponse>(`/runs/${sourceRunId}/metrics/summary`, { signal }));
  return useMemo(() => (summary.data?.metrics ?? []).map((m) => m.key).sort(), [summary.data]);
}

function toggle(set: ReadonlySet<string>, id: string): Set<string> {
  const next = new Set(set);
  if (next.has(id)) next.delete(id);
  else next.add(id);
  return next;
}

/** A group's checkbox: selects all its runs, or unselects them when all were selected. */
function toggleAll(set: ReadonlySet<string>, ids: readonly string[]): Set<string> {
  const next = new Set(set);
  const all = ids.every((id) => next.has(id));
  for (const id of ids) {
    if (all) next.delete(id);
    else next.add(id);
  }
  return next;
}

/** A project's Runs page: filters and columns from the URL, pages of runs, live updates, selection for Compare. */
export function RunsView({ projectId }: { projectId: string }) {
  const router = useRouter();
  const [query, setQuery] = useRunsQuery();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  /** Open groups, by group id (a new grouping starts with every group closed). */
  const [open, setOpen] = useState<{ grouping: string; ids: ReadonlySet<string> }>({ grouping: '', ids: new Set() });
  const [range, setRange] = useState<RowRange>({ first: 0, last: 0 });

  useEffect(() => setProjectId(projectId), [projectId]);

  const everyRun = needsEveryRun(query);
  const pages = useRunPages(projectId, serverQuery(query), everyRun);
  const { runs } = pages;
  const sourceRunId = (runs.find((r) => r.status === 'succeeded') ?? runs.find((r) => r.status === 'running'))?.id;
  const metricKeys = useMetricKeys(sourceRunId);
  const shownMetrics = useMemo(() => shownMetricColumns(query.metrics, metricKeys), [query.metrics, metricKeys]);
  const paramKeys = useMemo(() => sweepParamKeys(runs), [runs]);
  const methods = useMemo(() => runMethods(runs), [runs]);
  const columns = useMemo(() => runColumns({ paramKeys, metricKeys: shownMetrics }), [paramKeys, shownMetrics]);

  const { latest, ask } = useLatestValues(projectId, shownMetrics);
  const visibleRuns = useMemo(() => sortRuns(searchRuns(runs, query.q), query.sort, latest), [runs, query.q, query.sort, latest]);
  const grouping = query.group ? serializeGroupBy(query.group) : '';
  const openIds = useMemo(() => (open.grouping === grouping ? open.ids : new Set<string>()), [open, grouping]);
  const groups = useMemo(() => (query.group ? groupRuns(visibleRuns, query.group) : null), [visibleRuns, query.group]);
  const rows = useMemo(() => tableRows(visibleRuns, groups, openIds), [visibleRuns, groups, openIds]);
  const groupOptions = useMemo(() => groupByOptions(runs, paramKeys), [runs, paramKeys]);
  // The runs of the rows on screen; a closed group needs its runs' values for its mean ± sd.
  const onScreen = useMemo(() => runsOfRows(rows.slice(range.first, range.last + 1)), [rows, range]);
  // The rows on screen, again every REFRESH_MS for running ones.
  const tick = useTick(REFRESH_MS);
  useEffect(() => ask(onScreen), [ask, onScreen, tick]);

  const { loadMore } = pages;
  useEffect(() => {
    if (!everyRun && range.last >= rows.length - PREFETCH_ROWS) loadMore();
  }, [everyRun, range.last, rows.length, loadMore]);

  const exporting = useAction();
  const server = serverQuery(query);
  const exportCsv = () =>
    exporting.run(() =>
      download('/runs/export', { projectId, status: server.status, method: server.method || undefined, tags: server.tags ?? [], q: query.q.trim() || undefined, sort: server.sort, format: 'csv' }, `runs-${projectId.slice(0, 8)}.csv`),
    );

  const onRangeChange = (next: RowRange) => setRange((previous) => (previous.first === next.first && previous.last === next.last ? previous : next));

  return (
    <>
      <PageHeader
        title="Runs"
        subtitle={
          <span className="flex items-center gap-3">
            <span data-testid="runs-count">
              {groups ? `${groups.length} groups of ` : ''}
              {visibleRuns.length} shown · {runs.length}
              {pages.complete ? '' : '+'} loaded
            </span>
            <LiveIndicator status={pages.live} />
          </span>
        }
        actions={
          <>
            <button type="button" className={primaryButtonClass} disabled={selected.size < 2} onClick={() => router.push(`/compare?runs=${[...selected].join(',')}`)} data-testid="compare-selected">
              Compare {selected.size > 0 ? `(${selected.size})` : ''}
            </button>
            {selected.size > 0 ? (
              <button type="button" className={buttonClass} onClick={() => setSelected(new Set())}>
                Clear selection
              </button>
            ) : null}
            <button type="button" className={buttonClass} disabled={exporting.busy} onClick={exportCsv} data-testid="export-runs" title="the table as filtered: fields, tags, notes, config and last metric values">
              Export CSV
            </button>
            <Link href={`/projects/${projectId}/new`} className={buttonClass}>
              New sweep
            </Link>
          </>
        }
      />
      <SavedViews projectId={projectId} currentQuery={serializeRunsQuery(query)} />
      {exporting.error ? <ErrorState error={exporting.error} /> : null}
      <RunsFilters query={query} onChange={(patch) => void setQuery(patch)} methods={methods} metricKeys={metricKeys} shownMetrics={shownMetrics} groupOptions={groupOptions} />

      {pages.error ? <ErrorState error={pages.error} onRetry={pages.retry} /> : null}
      {pages.loading && runs.length === 0 && !pages.error ? <Loading label="Loading runs…" /> : null}
      {!pages.loading && !pages.error && runs.length === 0 ? (
        <Empty title="No runs match">
          <Link href={`/projects/${projectId}/new`} className="text-sky-600 underline">
            Start a sweep or a single run
          </Link>
        </Empty>
      ) : null}

      {runs.length > 0 ? (
        <RunsTable
          rows={rows}
          columns={columns}
          sort={query.sort}
          onSort={(column) => void setQuery({ sort: nextSort(query.sort, column) })}
          selected={selected}
          onToggle={(id) => setSelected((previous) => toggle(previous, id))}
          onToggleGroup={(members) => setSelected((previous) => toggleAll(previous, members.map((r) => r.id)))}
          onToggleOpen={(id) => setOpen({ grouping, ids: toggle(openIds, id) })}
          latest={latest}
          onRangeChange={onRangeChange}
        />
      ) : null}
    </>
  );
}
