import type { Run } from '@equilab/contracts';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { ProgressBar, StatusBadge } from '@/components/status-badge';
import { formatDate, formatDuration, formatValue } from '@/lib/format';
import type { SortColumn } from './runs-query';

/** What a cell may need beyond its run. */
export interface CellContext {
  /** Latest values of the shown metrics for this run. */
  values: Readonly<Record<string, number>> | undefined;
  selected: boolean;
  toggle: () => void;
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
}

const mono = 'truncate font-mono text-xs tabular-nums';

/** The columns for the sweep parameters and metric keys present: select, name, status, method, params, metrics, progress, created. */
export function runColumns({ paramKeys, metricKeys }: { paramKeys: readonly string[]; metricKeys: readonly string[] }): RunColumn[] {
  return [
    {
      id: 'select',
      label: 'Select',
      width: '2rem',
      sort: null,
      render: (run, { selected, toggle }) => <input type="checkbox" checked={selected} onChange={toggle} aria-label={`Select ${run.name}`} className="accent-sky-600" />,
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
    },
    { id: 'status', label: 'Status', width: '7rem', sort: { kind: 'server', key: 'status' }, render: (run) => <StatusBadge status={run.status} /> },
    { id: 'method', label: 'Method', width: '6rem', sort: null, className: 'truncate', render: (run) => run.method },
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
      (key): RunColumn => ({ id: `param:${key}`, label: key, width: '8rem', sort: { kind: 'param', key }, className: mono, render: (run) => formatValue(run.sweepParams?.[key]) }),
    ),
    ...metricKeys.map(
      (key): RunColumn => ({ id: `metric:${key}`, label: key, width: '8rem', sort: { kind: 'metric', key }, className: mono, cellData: { 'data-metric': key }, render: (_run, { values }) => formatValue(values?.[key]) }),
    ),
    {
      id: 'progress',
      label: 'Progress',
      width: '15rem',
      sort: null,
      render: (run) =>
        run.status === 'running' ? <ProgressBar step={run.step} total={run.totalSteps} eta={formatDuration(run.etaSeconds)} /> : <span className="text-xs text-slate-400">{run.status === 'succeeded' ? '100%' : '—'}</span>,
    },
    { id: 'created', label: 'Created', width: '10rem', sort: { kind: 'server', key: 'createdAt' }, className: 'truncate text-xs text-slate-500', render: (run) => formatDate(run.createdAt) },
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
