import type { Run } from '@equilab/contracts';
import { flatten, formatValue } from '@/lib/format';
import { configFieldValue, sweepParamValue } from '@/lib/run-groups';
import type { LatestValues } from './runs-query';

/**
 * Grouping of the Runs table, kept in the URL as `?group=`:
 *   `replicate`          runs of one configuration apart from the seed (the API's `groupKey`)
 *   `method`             the method
 *   `param:base_lr`      a sweep parameter's value
 *   `config:optimizer.lr` a config field's value (dotted path)
 * Groups are made in the browser over every run of the query (the page loads them all while grouping).
 */
export type GroupBy = { kind: 'replicate' } | { kind: 'method' } | { kind: 'param'; key: string } | { kind: 'config'; key: string };

export function serializeGroupBy(group: GroupBy): string {
  return group.kind === 'replicate' || group.kind === 'method' ? group.kind : `${group.kind}:${group.key}`;
}

export function parseGroupBy(text: string): GroupBy | null {
  if (text === 'replicate' || text === 'method') return { kind: text };
  const colon = text.indexOf(':');
  const kind = text.slice(0, colon);
  const key = text.slice(colon + 1);
  if (colon < 0 || key === '' || (kind !== 'param' && kind !== 'config')) return null;
  return { kind, key };
}

export function groupByLabel(group: GroupBy): string {
  switch (group.kind) {
    case 'replicate':
      return 'replicate group (config without seed)';
    case 'method':
      return 'method';
    case 'param':
      return `sweep parameter ${group.key}`;
    case 'config':
      return `config ${group.key}`;
  }
}

/** A group of runs: its id (unique among the groups of one grouping), label and members in table order. */
export interface RunGroup {
  id: string;
  label: string;
  runs: readonly Run[];
}

function valueText(value: unknown): string {
  return value === undefined ? '—' : formatValue(value);
}

/** What a run contributes to a grouping: its group id and label. */
function keyOf(run: Run, group: GroupBy): { id: string; label: string } {
  switch (group.kind) {
    case 'replicate': {
      const params = Object.entries(run.sweepParams ?? {})
        .filter(([k]) => k !== 'seed')
        .map(([k, v]) => `${k}=${formatValue(v)}`);
      return { id: run.groupKey, label: `${run.method}${params.length > 0 ? ` · ${params.join(' ')}` : ''} · ${run.groupKey.slice(0, 8)}` };
    }
    case 'method':
      return { id: run.method, label: run.method };
    case 'param': {
      const value = sweepParamValue(run, group.key);
      return { id: JSON.stringify(value ?? null), label: `${group.key} = ${valueText(value)}` };
    }
    case 'config': {
      const value = configFieldValue(run, group.key);
      return { id: JSON.stringify(value ?? null), label: `${group.key} = ${valueText(value)}` };
    }
  }
}

/** The runs grouped, groups in the order of their first run (so the table's sort orders the groups too). */
export function groupRuns(runs: readonly Run[], group: GroupBy): RunGroup[] {
  const groups = new Map<string, { id: string; label: string; runs: Run[] }>();
  for (const run of runs) {
    const { id, label } = keyOf(run, group);
    const found = groups.get(id);
    if (found) found.runs.push(run);
    else groups.set(id, { id, label, runs: [run] });
  }
  return [...groups.values()];
}

/** One row of the table: a group (with whether it is open) or a run (inside an open group when `grouped`). */
export type TableRow = { kind: 'group'; group: RunGroup; open: boolean } | { kind: 'run'; run: Run; grouped: boolean };

/** The rows shown: every run when not grouping, else each group followed by its runs when it is open. */
export function tableRows(runs: readonly Run[], groups: readonly RunGroup[] | null, open: ReadonlySet<string>): TableRow[] {
  if (!groups) return runs.map((run) => ({ kind: 'run', run, grouped: false }));
  return groups.flatMap((group): TableRow[] => {
    const isOpen = open.has(group.id);
    return [{ kind: 'group', group, open: isOpen }, ...(isOpen ? group.runs.map((run): TableRow => ({ kind: 'run', run, grouped: true })) : [])];
  });
}

/** The runs a set of rows shows or stands for (a closed group stands for its members). */
export function runsOfRows(rows: readonly TableRow[]): Run[] {
  const out = new Map<string, Run>();
  for (const row of rows) {
    if (row.kind === 'run') out.set(row.run.id, row.run);
    else for (const run of row.group.runs) out.set(run.id, run);
  }
  return [...out.values()];
}

/** `3 succeeded · 1 running`, most frequent first. */
export function statusSummary(runs: readonly Run[]): string {
  const counts = new Map<string, number>();
  for (const run of runs) counts.set(run.status, (counts.get(run.status) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([status, n]) => `${n} ${status}`)
    .join(' · ');
}

/** Mean and sample standard deviation (n − 1; 0 for one value) of the finite values, or null when there are none. */
export function meanSd(values: readonly number[]): { mean: number; sd: number; n: number } | null {
  const finite = values.filter((v) => Number.isFinite(v));
  const n = finite.length;
  if (n === 0) return null;
  const mean = finite.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(finite.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, n };
}

/** A metric over a group's runs (their latest values): `mean ± sd` and how many runs have a value. */
export function groupMetric(group: RunGroup, key: string, latest: LatestValues): { mean: number; sd: number; n: number } | null {
  return meanSd(group.runs.flatMap((run) => {
    const value = latest.get(run.id)?.[key];
    return value === undefined ? [] : [value];
  }));
}

/** A value shared by every run of the group, else how many distinct values there are. */
export function sharedValue(runs: readonly Run[], value: (run: Run) => unknown): string {
  const distinct = new Set(runs.map((run) => JSON.stringify(value(run) ?? null)));
  if (distinct.size === 1) return valueText(runs[0] ? value(runs[0]) : undefined);
  return `${distinct.size} values`;
}

/**
 * What the table can be grouped by, for the runs loaded: replicate group and method, every sweep parameter, and
 * every config field that differs between the runs (a field with one value would make a single group).
 */
export function groupByOptions(runs: readonly Run[], paramKeys: readonly string[]): { value: string; label: string }[] {
  const values = new Map<string, Set<string>>();
  for (const run of runs) {
    for (const [key, value] of Object.entries(flatten(run.config))) {
      let set = values.get(key);
      if (!set) values.set(key, (set = new Set()));
      set.add(JSON.stringify(value));
    }
  }
  const varied = [...values].filter(([, set]) => set.size > 1).map(([key]) => key).sort();
  const options: GroupBy[] = [{ kind: 'replicate' }, { kind: 'method' }, ...paramKeys.map((key): GroupBy => ({ kind: 'param', key })), ...varied.map((key): GroupBy => ({ kind: 'config', key }))];
  return options.map((g) => ({ value: serializeGroupBy(g), label: groupByLabel(g) }));
}
