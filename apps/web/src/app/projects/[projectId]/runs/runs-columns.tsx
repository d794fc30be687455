import type { Run } from '@equilab/contracts';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { ProgressView, RunProgressView } from '@/components/run-progress';
import { StatusBadge } from '@/components/status-badge';
import { formatDate, formatNumber, formatValue } from '@/lib/format';
import { groupProgress } from '@/lib/progress';
import { groupMetric, sharedValue, statusSummary, type RunGroup } from './run-groups';
import type { LatestValues, SortColumn } from './runs-query';

/** What a cell may need beyond its run. */
export interface CellContext {
  /** Latest values of the shown metrics for this run. */
  values: Readonly<Record<string, number>> | undefined;
  selected: boolean;
  toggle: () => void;
}

/** What a group row's cell may need. */
export interface GroupContext {
  latest: LatestValues;
  /** none, some or all of the group's runs are selected. */
  selected: 'none' | 'some' | 'all';
  toggle: () => void;
  open: boolean;
  toggleOpen: () => void;
}

/**
 * One column of the Runs table: its header, grid track, how it sorts (null: not sortable) and how a cell shows a
 * run. The table renders whatever list `runColumns` returns, so a new column is one entry here.
 */
export interface RunColumn {
  id: string;
  label: string;
  /** A CSS grid track (`8rem`). */
  width: string;
  sort: SortColumn | null;
  className?: string;
  /** Extra attributes on each cell (e.g. `data-metric`). */
  cellData?: Readonly<Record<string, string>>;
  render: (run: Run, context: CellContext) => ReactNode;
  /** A group row's cell (absent: empty). */
  renderGroup?: (group: RunGroup, context: GroupContext) => ReactNode;
}

const mono = 'truncate font-mono text-xs tabular-nums';

/** `0.512 ± 0.013` over the group's runs with a value (`n/N` when some have none yet). */
function metricSummary(group: RunGroup, key: string, latest: LatestValues): string {
  const summary = groupMetric(group, key, latest);
  if (!summary) return '—';
  const partial = summary.n < group.runs.length ? ` (${summary.n}/${group.runs.length})` : '';
  return `${formatNumber(summary.mean)} ± ${formatNumber(summary.sd)}${partial}`;
}

/** The columns for the sweep parameters and metric keys present: select, name, status, method, params, metrics, progress, created. */
export function runColumns({ paramKeys, metricKeys }: { paramKeys: readonly string[]; metricKeys: readonly string[] }): RunColumn[] {
  return [
    {
      id: 'select',
      label: 'Select',
      width: '2rem',
      sort: null,
      render: (run, { selected, toggle }) => <input type="checkbox" checked={selected} onChange={toggle} aria-label={`Select ${run.name}`} className="accent-sky-600" />,
      renderGroup: (group, { selected, toggle }) => (
        <input
          type="checkbox"
          checked={selected === 'all'}
          ref={(box) => {
            if (box) box.indeterminate = selected === 'some';
          }}
          onChange={toggle}
          aria-label={`Select the ${group.runs.length} runs of ${group.label}`}
          className="accent-sky-600"
        />
      ),
    },
    {
      id: 'name',
      label: 'Name',
      width: '16rem',
      sort: { kind: 'server', key: 'name' },
      className: 'truncate',
      render: (run) => (
        <Link href={`/runs/${run.id}`} className="font-medium text-sky-700 hover:underline dark:text-sky-400">
          {run.name}
        </Link>
      ),
      renderGroup: (group, { open, toggleOpen }) => (
        <button type="button" onClick={toggleOpen} aria-expanded={open} className="flex max-w-full items-center gap-1 text-left font-medium" title={group.label} data-testid="group-toggle">
          <span aria-hidden className="w-3 shrink-0 text-slate-500">
            {open ? '▾' : '▸'}
          </span>
          <span className="truncate">{group.label}</span>
          <span className="shrink-0 rounded-full bg-slate-200 px-1.5 text-xs tabular-nums dark:bg-slate-800" data-testid="group-count">
            {group.runs.length}
          </span>
        </button>
      ),
    },
    {
      id: 'status',
      label: 'Status',
      width: '7rem',
      sort: { kind: 'server', key: 'status' },
      render: (run) => <StatusBadge status={run.status} />,
      renderGroup: (group) => (
        <span className="truncate text-xs" title={statusSummary(group.runs)} data-testid="group-status">
          {statusSummary(group.runs)}
        </span>
      ),
    },
    { id: 'method', label: 'Method', width: '6rem', sort: null, className: 'truncate', render: (run) => run.method, renderGroup: (group) => sharedValue(group.runs, (run) => run.method) },
    {
      id: 'tags',
      label: 'Tags',
      width: '9rem',
      sort: null,
      className: 'truncate',
      render: (run) => (
        <span className="flex gap-1 overflow-hidden" title={run.notes || undefined}>
          {run.tags.map((t) => (
            <span key={t} className="rounded-full bg-sky-100 px-1.5 text-xs text-sky-900 dark:bg-sky-950 dark:text-sky-200" data-testid="run-tag">
              {t}
            </span>
          ))}
        </span>
      ),
    },
    ...paramKeys.map(
      (key): RunColumn => ({ id: `param:${key}`, label: key, width: '8rem', sort: { kind: 'param', key }, className: mono, render: (run) => formatValue(run.sweepParams?.[key]), renderGroup: (group) => sharedValue(group.runs, (run) => run.sweepParams?.[key]) }),
    ),
    ...metricKeys.map(
      (key): RunColumn => ({ id: `metric:${key}`, label: key, width: '10rem', sort: { kind: 'metric', key }, className: mono, cellData: { 'data-metric': key }, render: (_run, { values }) => formatValue(values?.[key]), renderGroup: (group, { latest }) => metricSummary(group, key, latest) }),
    ),
    {
      id: 'progress',
      label: 'Progress',
      width: '15rem',
      sort: null,
      render: (run) => <RunProgressView run={run} />,
      renderGroup: (group) => <ProgressView progress={groupProgress(group.runs)} />,
    },
    { id: 'created', label: 'Created', width: '10rem', sort: { kind: 'server', key: 'createdAt' }, className: 'truncate text-xs text-slate-500', render: (run) => formatDate(run.createdAt), renderGroup: (group) => formatDate(group.runs.map((r) => r.createdAt).sort()[0]) },
  ];
}

/** The CSS grid template shared by the header row and every run row. */
export function gridTemplate(columns: readonly RunColumn[]): string {
  return columns.map((c) => c.width).join(' ');
}

/** Sweep parameter names over the runs loaded, sorted (`method` has its own column). */
export function sweepParamKeys(runs: readonly Run[]): string[] {
  const keys = new Set<string>();
  for (const run of runs) for (const key of Object.keys(run.sweepParams ?? {})) if (key !== 'method') keys.add(key);
  return [...keys].sort();
}

/** Methods over the runs loaded, sorted. */
export function runMethods(runs: readonly Run[]): string[] {
  return [...new Set(runs.map((r) => r.method))].sort();
}
