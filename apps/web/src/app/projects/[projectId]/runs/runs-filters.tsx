'use client';

import { runStatusSchema, type RunStatus } from '@equilab/contracts';
import { inputClass } from '@/components/page-header';
import { Select } from '@/components/select';
import { parseGroupBy, serializeGroupBy } from './run-groups';
import { MAX_METRIC_COLUMNS, toggleMetricColumn, type RunsQuery } from './runs-query';

export interface RunsFiltersProps {
  query: RunsQuery;
  onChange: (patch: Partial<RunsQuery>) => void;
  /** Methods offered besides the one filtered by. */
  methods: readonly string[];
  /** Metric keys offered as columns, and the ones shown. */
  metricKeys: readonly string[];
  shownMetrics: readonly string[];
  /** What the rows can be grouped by (run-groups.ts `groupByOptions`). */
  groupOptions?: readonly { value: string; label: string }[];
}

function toggled(list: readonly RunStatus[], status: RunStatus, on: boolean): RunStatus[] {
  return on ? [...list, status] : list.filter((s) => s !== status);
}

/** Search, method and status filters and the metric-column picker above the Runs table. */
export function RunsFilters({ query, onChange, methods, metricKeys, shownMetrics, groupOptions = [] }: RunsFiltersProps) {
  const methodOptions = [...new Set([...methods, query.method].filter(Boolean))];
  const group = query.group ? serializeGroupBy(query.group) : '';
  // A grouping from a shared link stays offered while the runs that vary in it load.
  const groupChoices = [{ value: '', label: 'none' }, ...groupOptions, ...(group && !groupOptions.some((o) => o.value === group) ? [{ value: group, label: group }] : [])];
  return (
    <div className="mb-3 flex flex-wrap items-end gap-4 text-sm" role="search">
      <label className="flex flex-col gap-1">
        <span className="text-xs text-slate-500">Search</span>
        <input type="search" value={query.q} onChange={(e) => onChange({ q: e.target.value })} placeholder="name, id, method, tags, notes, params" className={`${inputClass} w-64`} aria-label="Search runs" />
      </label>
      <label className="flex flex-col gap-1">
        <span className="text-xs text-slate-500">Tags (all of)</span>
        <input
          defaultValue={query.tags.join(' ')}
          key={query.tags.join(' ')}
          onBlur={(e) => onChange({ tags: [...new Set(e.target.value.split(/[\s,]+/).filter(Boolean))] })}
          onKeyDown={(e) => {
            if (e.key === 'Enter') e.currentTarget.blur();
          }}
          placeholder="baseline"
          className={`${inputClass} w-40`}
          aria-label="Filter by tags"
        />
      </label>
      <label className="flex flex-col gap-1">
        <span className="text-xs text-slate-500">Method</span>
        <Select value={query.method} options={[{ value: '', label: 'all' }, ...methodOptions]} onChange={(method) => onChange({ method })} aria-label="Filter by method" />
      </label>
      <label className="flex flex-col gap-1">
        <span className="text-xs text-slate-500">Group by</span>
        <Select value={group} options={groupChoices} onChange={(value) => onChange({ group: value ? parseGroupBy(value) : null })} aria-label="Group runs by" />
      </label>
      <fieldset className="flex flex-col gap-1">
        <legend className="text-xs text-slate-500">Status</legend>
        <div className="flex flex-wrap gap-2">
          {runStatusSchema.options.map((status) => (
            <label key={status} className="flex items-center gap-1">
              <input type="checkbox" checked={query.status.includes(status)} onChange={(e) => onChange({ status: toggled(query.status, status, e.target.checked) })} className="accent-sky-600" />
              {status}
            </label>
          ))}
        </div>
      </fieldset>
      <details className="relative">
        <summary className={`${inputClass} cursor-pointer list-none`} aria-label="Metric columns">
          Metric columns ({shownMetrics.length}) ▾
        </summary>
        <fieldset className="absolute z-20 mt-1 max-h-72 w-72 overflow-auto rounded border border-slate-300 bg-white p-2 shadow-lg dark:border-slate-700 dark:bg-slate-900">
          <legend className="sr-only">Metric columns (at most {MAX_METRIC_COLUMNS})</legend>
          {metricKeys.length === 0 ? <p className="text-xs text-slate-500">No metrics recorded yet.</p> : null}
          {metricKeys.map((key) => (
            <label key={key} className="flex items-center gap-2 py-0.5 text-xs">
              <input
                type="checkbox"
                checked={shownMetrics.includes(key)}
                disabled={!shownMetrics.includes(key) && shownMetrics.length >= MAX_METRIC_COLUMNS}
                onChange={(e) => onChange({ metrics: toggleMetricColumn(shownMetrics, key, e.target.checked) })}
                className="accent-sky-600"
              />
              <span className="truncate font-mono">{key}</span>
            </label>
          ))}
        </fieldset>
      </details>
    </div>
  );
}
