import { runMatchesSearch, runStatusSchema, type Run, type RunStatus } from '@equilab/contracts';
import { createParser, createSerializer, parseAsArrayOf, parseAsString, parseAsStringLiteral, useQueryStates, type inferParserType } from 'nuqs';
import { parseGroupBy, serializeGroupBy, type GroupBy } from './run-groups';

/**
 * The Runs table's query — search, filters, sort and chosen metric columns — kept in the URL so a link shows the
 * same table and back/forward step through changes:
 *   `?q=lr&status=running,failed&method=SIE&sort=-metric:Loss/total&metrics=Loss/total,Stats/std&group=replicate`
 * Default values are left out of the URL. `metrics` absent means the default columns; `metrics=` means none.
 */

/** Sorted by the API (the whole list, page by page). */
export type ServerSortKey = 'createdAt' | 'name' | 'status' | 'finishedAt';
const SERVER_SORT_KEYS: readonly ServerSortKey[] = ['createdAt', 'name', 'status', 'finishedAt'];

/** A sortable column: the API sorts server columns; sweep parameters and metrics are sorted in the browser. */
export type SortColumn = { kind: 'server'; key: ServerSortKey } | { kind: 'param'; key: string } | { kind: 'metric'; key: string };

export interface RunsSort {
  column: SortColumn;
  descending: boolean;
}

export const DEFAULT_SORT: RunsSort = { column: { kind: 'server', key: 'createdAt' }, descending: true };

/** At most this many metric columns (each one costs a request per screen of rows). */
export const MAX_METRIC_COLUMNS = 6;

/** `-createdAt`, `name`, `param:base_lr`, `-metric:Loss/total`. */
export function serializeSort(sort: RunsSort): string {
  const { column } = sort;
  const body = column.kind === 'server' ? column.key : `${column.kind}:${column.key}`;
  return `${sort.descending ? '-' : ''}${body}`;
}

export function parseSort(text: string): RunsSort | null {
  const descending = text.startsWith('-');
  const body = descending ? text.slice(1) : text;
  const colon = body.indexOf(':');
  if (colon < 0) {
    const key = SERVER_SORT_KEYS.find((k) => k === body);
    return key ? { column: { kind: 'server', key }, descending } : null;
  }
  const kind = body.slice(0, colon);
  const key = body.slice(colon + 1);
  if (key === '' || (kind !== 'param' && kind !== 'metric')) return null;
  return { column: { kind, key }, descending };
}

export function sameColumn(a: SortColumn, b: SortColumn): boolean {
  return a.kind === b.kind && a.key === b.key;
}

/** Clicking a column header: the same column flips the direction; a new one starts descending only for Created. */
export function nextSort(current: RunsSort, column: SortColumn): RunsSort {
  if (sameColumn(current.column, column)) return { column, descending: !current.descending };
  return { column, descending: column.kind === 'server' && column.key === 'createdAt' };
}

const parseAsSort = createParser({
  parse: parseSort,
  serialize: serializeSort,
  eq: (a: RunsSort, b: RunsSort) => sameColumn(a.column, b.column) && a.descending === b.descending,
});

const parseAsGroupBy = createParser({
  parse: parseGroupBy,
  serialize: serializeGroupBy,
  eq: (a: GroupBy, b: GroupBy) => serializeGroupBy(a) === serializeGroupBy(b),
});

export const runsQueryParsers = {
  // Typing replaces the history entry (one per keystroke would make Back useless); everything else pushes one.
  q: parseAsString.withDefault('').withOptions({ history: 'replace' }),
  status: parseAsArrayOf(parseAsStringLiteral(runStatusSchema.options)).withDefault([]),
  method: parseAsString.withDefault(''),
  /** Runs carrying every one of these tags (filtered by the API). */
  tags: parseAsArrayOf(parseAsString).withDefault([]),
  sort: parseAsSort.withDefault(DEFAULT_SORT),
  metrics: parseAsArrayOf(parseAsString),
  /** Group rows (absent: one row a run); see run-groups.ts. */
  group: parseAsGroupBy,
};

export type RunsQuery = inferParserType<typeof runsQueryParsers>;

/** The query string of a Runs table state (for links and saved views): `serializeRunsQuery('/projects/p/runs', query)`. */
export const serializeRunsQuery = createSerializer(runsQueryParsers);

/** The Runs table's query, read from and written to the URL. */
export function useRunsQuery() {
  return useQueryStates(runsQueryParsers, { history: 'push' });
}

/** What the API filters and sorts (client-side sorts fall back to newest first). */
export interface ServerQuery {
  status: readonly RunStatus[];
  method: string;
  sort: string;
  tags?: readonly string[];
}

export function serverQuery(query: Pick<RunsQuery, 'status' | 'method' | 'sort'> & { tags?: readonly string[] }): ServerQuery {
  return { status: query.status, method: query.method, tags: query.tags ?? [], sort: query.sort.column.kind === 'server' ? serializeSort(query.sort) : serializeSort(DEFAULT_SORT) };
}

/** Searching, grouping or sorting by a browser-side column needs every run of the query, not only the pages scrolled to. */
export function needsEveryRun(query: Pick<RunsQuery, 'q' | 'sort'> & { group?: GroupBy | null }): boolean {
  return query.q.trim() !== '' || query.sort.column.kind !== 'server' || Boolean(query.group);
}

/** Whether a run the API did not list yet (a live event) belongs in the list as the API would sort it. */
export function belongsAtTop(run: Run, server: ServerQuery): boolean {
  const statusMatches = server.status.length === 0 || server.status.includes(run.status);
  const methodMatches = server.method === '' || server.method === run.method;
  const tagsMatch = (server.tags ?? []).every((t) => run.tags.includes(t));
  return statusMatches && methodMatches && tagsMatch && server.sort === serializeSort(DEFAULT_SORT);
}

/** Search over name, id prefix, method, tags, notes and sweep parameters as `key=value` (case-insensitive; the API's export searches alike). */
export function searchRuns(runs: readonly Run[], search: string): readonly Run[] {
  if (search.trim() === '') return runs;
  return runs.filter((r) => runMatchesSearch(r, search));
}

/** Latest value of each shown metric, per run id. */
export type LatestValues = ReadonlyMap<string, Readonly<Record<string, number>>>;

function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Numbers numerically, everything else as text (numeric-aware); missing values last in either direction. */
export function compareValues(a: unknown, b: unknown): number {
  if (a === undefined || a === null) return b === undefined || b === null ? 0 : 1;
  if (b === undefined || b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return text(a).localeCompare(text(b), undefined, { numeric: true });
}

/** Browser-side sort by a sweep parameter or a metric's latest value; server columns keep the API's order. */
export function sortRuns(runs: readonly Run[], sort: RunsSort, latest: LatestValues): readonly Run[] {
  const { column } = sort;
  if (column.kind === 'server') return runs;
  const value = (run: Run): unknown => (column.kind === 'param' ? run.sweepParams?.[column.key] : latest.get(run.id)?.[column.key]);
  return [...runs].sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    const missing = va === undefined || va === null || vb === undefined || vb === null;
    const order = compareValues(va, vb);
    return sort.descending && !missing ? -order : order;
  });
}

/** The metric columns shown by default: the total loss first, then the next loss. */
export function defaultMetricColumns(metricKeys: readonly string[]): string[] {
  const losses = metricKeys.filter((k) => k.startsWith('Loss/'));
  const total = losses.filter((k) => /total/i.test(k));
  return [...total, ...losses.filter((k) => !total.includes(k))].slice(0, 2);
}

/** The chosen metric columns (`null`: the defaults for the keys known). */
export function shownMetricColumns(chosen: readonly string[] | null, metricKeys: readonly string[]): readonly string[] {
  return chosen ?? defaultMetricColumns(metricKeys);
}

/** Adds or removes one metric column, keeping at most MAX_METRIC_COLUMNS. */
export function toggleMetricColumn(shown: readonly string[], key: string, on: boolean): string[] {
  if (!on) return shown.filter((k) => k !== key);
  if (shown.includes(key) || shown.length >= MAX_METRIC_COLUMNS) return [...shown];
  return [...shown, key];
}
