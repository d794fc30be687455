'use client';

import {
  projectRoom,
  runStatusSchema,
  type MetricSummaryResponse,
  type Run,
  type RunList,
  type RunStatus,
  type SeriesResponse,
} from '@equilab/contracts';
import { useVirtualizer } from '@tanstack/react-virtual';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { LiveIndicator } from '@/components/live-indicator';
import { PageHeader, buttonClass, inputClass, primaryButtonClass } from '@/components/page-header';
import { ProgressBar, StatusBadge } from '@/components/status-badge';
import { Empty, ErrorState, Loading } from '@/components/states';
import { api } from '@/lib/api.client';
import { formatDate, formatDuration, formatValue } from '@/lib/format';
import { mergeRun } from '@/lib/run-merge';
import { setProjectId, useToken } from '@/lib/settings.store';
import { useLive } from '@/lib/socket.client';

/** The first page is small (fast first paint); later pages are the API's maximum. */
const FIRST_PAGE = 100;
const PAGE_SIZE = 500;
const ROW_HEIGHT = 40;
type ServerSort = 'createdAt' | 'name' | 'status' | 'finishedAt';
type SortColumn = { kind: 'server'; key: ServerSort } | { kind: 'param'; key: string } | { kind: 'metric'; key: string };

interface Filters {
  status: RunStatus[];
  method: string;
  sort: SortColumn;
  descending: boolean;
}

function compareUnknown(a: unknown, b: unknown): number {
  if (a === undefined || a === null) return b === undefined || b === null ? 0 : 1;
  if (b === undefined || b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

export function RunsTable({ projectId }: { projectId: string }) {
  const token = useToken();
  const router = useRouter();
  const [filters, setFilters] = useState<Filters>({ status: [], method: '', sort: { kind: 'server', key: 'createdAt' }, descending: true });
  const [search, setSearch] = useState('');
  const [runs, setRuns] = useState<Run[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [complete, setComplete] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<Error | null>(null);
  const [generation, setGeneration] = useState(0);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [metricKeys, setMetricKeys] = useState<string[]>([]);
  const [chosenMetrics, setChosenMetrics] = useState<string[]>([]);
  const [latest, setLatest] = useState<Map<string, Record<string, number>>>(new Map());
  const loadingPage = useRef(false);
  const scroller = useRef<HTMLDivElement>(null);

  useEffect(() => setProjectId(projectId), [projectId]);

  const serverSort = filters.sort.kind === 'server' ? `${filters.descending ? '-' : ''}${filters.sort.key}` : '-createdAt';
  const queryKey = `${projectId}|${filters.status.join(',')}|${filters.method}|${serverSort}|${generation}`;

  const fetchPage = useCallback(
    async (after: string | null, signal?: AbortSignal) =>
      api<RunList>('/runs', {
        query: { projectId, status: filters.status, method: filters.method || undefined, sort: serverSort, limit: after === null ? FIRST_PAGE : PAGE_SIZE, cursor: after },
        signal,
      }),
    [projectId, filters.status, filters.method, serverSort],
  );

  // First page whenever the server-side query changes.
  useEffect(() => {
    if (token === undefined) return undefined;
    const controller = new AbortController();
    setLoading(true);
    setError(null);
    loadingPage.current = true;
    fetchPage(null, controller.signal)
      .then((page) => {
        setRuns(page.items);
        setCursor(page.nextCursor);
        setComplete(page.nextCursor === null);
      })
      .catch((reason: unknown) => {
        if (!controller.signal.aborted) setError(reason as Error);
      })
      .finally(() => {
        if (!controller.signal.aborted) {
          setLoading(false);
          loadingPage.current = false;
        }
      });
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [queryKey, token]);

  const loadMore = useCallback(async () => {
    if (loadingPage.current || complete || cursor === null) return;
    loadingPage.current = true;
    try {
      const page = await fetchPage(cursor);
      setRuns((previous) => {
        const seen = new Set(previous.map((r) => r.id));
        return [...previous, ...page.items.filter((r) => !seen.has(r.id))];
      });
      setCursor(page.nextCursor);
      setComplete(page.nextCursor === null);
    } catch (reason) {
      setError(reason as Error);
    } finally {
      loadingPage.current = false;
    }
  }, [complete, cursor, fetchPage]);

  // Searching or sorting on a client-side column needs every run: keep loading pages.
  const needsAll = search.trim() !== '' || filters.sort.kind !== 'server';
  useEffect(() => {
    if (needsAll && !complete && !loading && cursor) void loadMore();
  }, [needsAll, complete, loading, cursor, loadMore]);

  // Live: status/progress changes and new runs of this project.
  const live = useLive([projectRoom(projectId)], {
    run: ({ run }) => {
      setRuns((previous) => {
        const index = previous.findIndex((r) => r.id === run.id);
        if (index >= 0) {
          const next = previous.slice();
          next[index] = mergeRun(previous[index] as Run, run);
          return next;
        }
        const matches = (filters.status.length === 0 || filters.status.includes(run.status)) && (!filters.method || filters.method === run.method);
        return matches && serverSort === '-createdAt' ? [run, ...previous] : previous;
      });
    },
    metrics: (event) => {
      if (chosenMetrics.length === 0) return;
      setLatest((previous) => {
        let next: Map<string, Record<string, number>> | null = null;
        for (const { runId, points } of event.runs) {
          for (const point of points) {
            if (!chosenMetrics.includes(point.key)) continue;
            next ??= new Map(previous);
            next.set(runId, { ...(next.get(runId) ?? {}), [point.key]: point.value });
          }
        }
        return next ?? previous;
      });
    },
  });

  // Metric keys offered as columns: from a run that has metrics.
  const keySource = runs.find((r) => r.status === 'succeeded') ?? runs.find((r) => r.status === 'running') ?? null;
  useEffect(() => {
    if (!keySource || metricKeys.length > 0) return;
    api<MetricSummaryResponse>(`/runs/${keySource.id}/metrics/summary`)
      .then((summary) => {
        const keys = summary.metrics.map((m) => m.key).sort();
        setMetricKeys(keys);
        setChosenMetrics((chosen) => (chosen.length > 0 ? chosen : keys.filter((k) => k.startsWith('Loss/')).slice(0, 2)));
      })
      .catch(() => undefined);
  }, [keySource, metricKeys.length]);

  const paramKeys = useMemo(() => {
    const keys = new Set<string>();
    for (const run of runs) for (const key of Object.keys(run.sweepParams ?? {})) keys.add(key);
    return [...keys].sort();
  }, [runs]);

  const methods = useMemo(() => [...new Set(runs.map((r) => r.method))].sort(), [runs]);

  const visibleRuns = useMemo(() => {
    const needle = search.trim().toLowerCase();
    let list = needle
      ? runs.filter((r) => r.name.toLowerCase().includes(needle) || r.id.startsWith(needle) || r.method.toLowerCase().includes(needle) || JSON.stringify(r.sweepParams ?? {}).toLowerCase().includes(needle))
      : runs;
    const sort = filters.sort;
    if (sort.kind !== 'server') {
      const value = (run: Run) => (sort.kind === 'param' ? run.sweepParams?.[sort.key] : latest.get(run.id)?.[sort.key]);
      list = [...list].sort((a, b) => {
        const order = compareUnknown(value(a), value(b));
        return filters.descending ? -order : order;
      });
    }
    return list;
  }, [runs, search, filters.sort, filters.descending, latest]);

  const virtualizer = useVirtualizer({ count: visibleRuns.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items[items.length - 1]?.index ?? 0;
  useEffect(() => {
    if (!needsAll && lastIndex >= visibleRuns.length - 100) void loadMore();
  }, [lastIndex, visibleRuns.length, loadMore, needsAll]);

  // Latest values of the chosen metrics for the rows on screen (one compare call per scroll stop).
  const firstIndex = items[0]?.index ?? 0;
  const onScreen = visibleRuns.slice(firstIndex, lastIndex + 1).map((r) => r.id);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((t) => t + 1), 15_000);
    return () => clearInterval(timer);
  }, []);
  const onScreenKey = `${onScreen.join(',')}|${chosenMetrics.join(',')}|${tick}`;
  /** run id → when its latest values were fetched; running runs are refreshed every 15 s. */
  const fetched = useRef(new Map<string, number>());
  useEffect(() => {
    fetched.current = new Map();
  }, [chosenMetrics]);
  useEffect(() => {
    if (chosenMetrics.length === 0) return undefined;
    const now = Date.now();
    const statusOf = new Map(visibleRuns.slice(firstIndex, lastIndex + 1).map((r) => [r.id, r.status]));
    const missing = onScreen
      .filter((id) => {
        const at = fetched.current.get(id);
        return at === undefined || (statusOf.get(id) === 'running' && now - at > 14_000);
      })
      .slice(0, 200);
    if (missing.length === 0) return undefined;
    const timer = setTimeout(() => {
      for (const id of missing) fetched.current.set(id, now);
      api<SeriesResponse>('/metrics/compare', { query: { runIds: missing, keys: chosenMetrics, points: 2 } })
        .then((response) => {
          setLatest((previous) => {
            const next = new Map(previous);
            for (const series of response.series) {
              const last = series.points[series.points.length - 1];
              if (last) next.set(series.runId, { ...(next.get(series.runId) ?? {}), [series.key]: last.value });
            }
            return next;
          });
        })
        .catch(() => {
          for (const id of missing) fetched.current.delete(id);
        });
    }, 200);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [onScreenKey]);

  const setSort = (column: SortColumn) =>
    setFilters((f) => ({ ...f, sort: column, descending: f.sort.kind === column.kind && f.sort.key === column.key ? !f.descending : column.kind === 'server' && column.key === 'createdAt' }));

  const toggle = (id: string) =>
    setSelected((previous) => {
      const next = new Set(previous);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const columns = ['2rem', '16rem', '7rem', '6rem', ...paramKeys.map(() => '8rem'), ...chosenMetrics.map(() => '8rem'), '15rem', '10rem'];
  const grid = { gridTemplateColumns: columns.join(' ') };

  const sortIndicator = (column: SortColumn) => (filters.sort.kind === column.kind && filters.sort.key === column.key ? (filters.descending ? ' ↓' : ' ↑') : '');
  const header = (label: string, column: SortColumn, title?: string) => (
    <div role="columnheader" className="truncate" aria-sort={filters.sort.kind === column.kind && filters.sort.key === column.key ? (filters.descending ? 'descending' : 'ascending') : 'none'}>
      <button type="button" onClick={() => setSort(column)} className="max-w-full truncate text-left font-semibold hover:underline" title={title ?? label}>
        {label}
        {sortIndicator(column)}
      </button>
    </div>
  );

  return (
    <>
      <PageHeader
        title="Runs"
        subtitle={
          <span className="flex items-center gap-3">
            <span data-testid="runs-count">
              {visibleRuns.length} shown · {runs.length}
              {complete ? '' : '+'} loaded
            </span>
            <LiveIndicator status={live} />
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
            <Link href={`/projects/${projectId}/new`} className={buttonClass}>
              New sweep
            </Link>
          </>
        }
      />
      <div className="mb-3 flex flex-wrap items-end gap-4 text-sm" role="search">
        <label className="flex flex-col gap-1">
          <span className="text-xs text-slate-500">Search</span>
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="name, id, method, params" className={`${inputClass} w-64`} aria-label="Search runs" />
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-xs text-slate-500">Method</span>
          <select value={filters.method} onChange={(e) => setFilters((f) => ({ ...f, method: e.target.value }))} className={inputClass} aria-label="Filter by method">
            <option value="">all</option>
            {[...new Set([...methods, filters.method].filter(Boolean))].map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <fieldset className="flex flex-col gap-1">
          <legend className="text-xs text-slate-500">Status</legend>
          <div className="flex flex-wrap gap-2">
            {runStatusSchema.options.map((status) => (
              <label key={status} className="flex items-center gap-1">
                <input
                  type="checkbox"
                  checked={filters.status.includes(status)}
                  onChange={(e) => setFilters((f) => ({ ...f, status: e.target.checked ? [...f.status, status] : f.status.filter((s) => s !== status) }))}
                  className="accent-sky-600"
                />
                {status}
              </label>
            ))}
          </div>
        </fieldset>
        <details className="relative">
          <summary className={`${inputClass} cursor-pointer list-none`} aria-label="Metric columns">
            Metric columns ({chosenMetrics.length}) ▾
          </summary>
          <fieldset className="absolute z-20 mt-1 max-h-72 w-72 overflow-auto rounded border border-slate-300 bg-white p-2 shadow-lg dark:border-slate-700 dark:bg-slate-900">
            <legend className="sr-only">Metric columns (at most 6)</legend>
            {metricKeys.length === 0 ? <p className="text-xs text-slate-500">No metrics recorded yet.</p> : null}
            {metricKeys.map((key) => (
              <label key={key} className="flex items-center gap-2 py-0.5 text-xs">
                <input
                  type="checkbox"
                  checked={chosenMetrics.includes(key)}
                  disabled={!chosenMetrics.includes(key) && chosenMetrics.length >= 6}
                  onChange={(e) => setChosenMetrics((list) => (e.target.checked ? [...list, key] : list.filter((k) => k !== key)))}
                  className="accent-sky-600"
                />
                <span className="truncate font-mono">{key}</span>
              </label>
            ))}
          </fieldset>
        </details>
      </div>

      {error ? <ErrorState error={error} onRetry={() => setGeneration((g) => g + 1)} /> : null}
      {loading && runs.length === 0 && !error ? <Loading label="Loading runs…" /> : null}
      {!loading && !error && runs.length === 0 ? (
        <Empty title="No runs match">
          <Link href={`/projects/${projectId}/new`} className="text-sky-600 underline">
            Start a sweep or a single run
          </Link>
        </Empty>
      ) : null}

      {runs.length > 0 ? (
        <div ref={scroller} role="table" aria-label="Runs" aria-rowcount={visibleRuns.length} className="overflow-auto rounded-lg border border-slate-200 text-sm dark:border-slate-800" style={{ maxHeight: 'calc(100vh - 240px)' }} data-testid="runs-table">
          <div role="rowgroup" className="sticky top-0 z-10 min-w-max">
            <div role="row" className="grid min-w-full items-center gap-2 border-b border-slate-200 bg-slate-50 px-2 py-2 text-xs dark:border-slate-800 dark:bg-slate-900" style={grid}>
              <div role="columnheader">
                <span className="sr-only">Select</span>
              </div>
              {header('Name', { kind: 'server', key: 'name' })}
              {header('Status', { kind: 'server', key: 'status' })}
              <div role="columnheader" className="font-semibold">
                Method
              </div>
              {paramKeys.map((key) => header(key, { kind: 'param', key }))}
              {chosenMetrics.map((key) => header(key, { kind: 'metric', key }))}
              <div role="columnheader" className="font-semibold">
                Progress
              </div>
              {header('Created', { kind: 'server', key: 'createdAt' })}
            </div>
          </div>
          <div role="rowgroup" className="min-w-max">
            <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
              {items.map((item) => {
                const run = visibleRuns[item.index];
                if (!run) return null;
                const values = latest.get(run.id);
                return (
                  <div
                    key={run.id}
                    role="row"
                    aria-rowindex={item.index + 1}
                    data-testid="run-row"
                    data-run-id={run.id}
                    className={`absolute left-0 grid min-w-full items-center gap-2 border-b border-slate-100 px-2 dark:border-slate-900 ${selected.has(run.id) ? 'bg-sky-50 dark:bg-sky-950/40' : 'hover:bg-slate-50 dark:hover:bg-slate-900/60'}`}
                    style={{ ...grid, height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
                  >
                    <div role="cell">
                      <input type="checkbox" checked={selected.has(run.id)} onChange={() => toggle(run.id)} aria-label={`Select ${run.name}`} className="accent-sky-600" />
                    </div>
                    <div role="cell" className="truncate">
                      <Link href={`/runs/${run.id}`} className="font-medium text-sky-700 hover:underline dark:text-sky-400">
                        {run.name}
                      </Link>
                    </div>
                    <div role="cell">
                      <StatusBadge status={run.status} />
                    </div>
                    <div role="cell" className="truncate">
                      {run.method}
                    </div>
                    {paramKeys.map((key) => (
                      <div role="cell" key={key} className="truncate font-mono text-xs tabular-nums">
                        {formatValue(run.sweepParams?.[key])}
                      </div>
                    ))}
                    {chosenMetrics.map((key) => (
                      <div role="cell" key={key} className="truncate font-mono text-xs tabular-nums" data-metric={key}>
                        {formatValue(values?.[key])}
                      </div>
                    ))}
                    <div role="cell">
                      {run.status === 'running' ? <ProgressBar step={run.step} total={run.totalSteps} eta={formatDuration(run.etaSeconds)} /> : <span className="text-xs text-slate-400">{run.status === 'succeeded' ? '100%' : '—'}</span>}
                    </div>
                    <div role="cell" className="truncate text-xs text-slate-500">
                      {formatDate(run.createdAt)}
                    </div>
                  </div>
                );
              })}
            </div>
          </div>
        </div>
      ) : null}
    </>
  );
}
