import type { RunDetail } from '@equilab/contracts';
import { flatten, formatValue } from './format';

/** What Compare groups runs by: nothing, the method, replicate seeds of one configuration, a config field or a sweep parameter. */
export type GroupBy = { kind: 'none' } | { kind: 'method' } | { kind: 'replicates' } | { kind: 'config'; field: string } | { kind: 'sweep'; param: string };

export interface RunGroup {
  /** Stable key of the group (its value, JSON). */
  key: string;
  label: string;
  /** Indices of the member runs in the input order. */
  members: number[];
}

type GroupableRun = Pick<RunDetail, 'method' | 'config' | 'sweepParams' | 'groupKey' | 'seed'>;

/** A run's value of sweep parameter `param` (an own property only: the name comes from a URL or a picker). */
export function sweepParamValue(run: Pick<RunDetail, 'sweepParams'>, param: string): unknown {
  return run.sweepParams && Object.hasOwn(run.sweepParams, param) ? run.sweepParams[param] : undefined;
}

/** A run's value of config field `field` (a dotted path of the flattened config; own properties only). */
export function configFieldValue(run: Pick<RunDetail, 'config'>, field: string): unknown {
  const flat = flatten(run.config);
  return Object.hasOwn(flat, field) ? flat[field] : undefined;
}

function groupValue(run: GroupableRun, by: GroupBy): unknown {
  switch (by.kind) {
    case 'none':
      return undefined;
    case 'method':
      return run.method;
    case 'replicates':
      return run.groupKey;
    case 'config':
      return by.field === 'method' ? run.method : by.field === 'seed' ? run.seed : configFieldValue(run, by.field);
    case 'sweep':
      return sweepParamValue(run, by.param);
  }
}

function groupName(by: GroupBy): string {
  switch (by.kind) {
    case 'none':
      return '';
    case 'method':
      return 'method';
    case 'replicates':
      return 'config';
    case 'config':
      return by.field;
    case 'sweep':
      return by.param;
  }
}

/**
 * Groups runs (in order of first appearance). Runs missing the field form a group of their own ("—"). Replicate
 * groups are labelled by the first member's label and the seed count, since their key is a hash.
 */
export function groupRuns(runs: readonly GroupableRun[], by: GroupBy, labelOf: (index: number) => string = (i) => `run ${i + 1}`): RunGroup[] {
  if (by.kind === 'none') return runs.map((_, i) => ({ key: String(i), label: labelOf(i), members: [i] }));
  const groups = new Map<string, RunGroup>();
  runs.forEach((run, i) => {
    const value = groupValue(run, by);
    const key = JSON.stringify(value ?? null);
    let group = groups.get(key);
    if (!group) {
      const label = by.kind === 'replicates' ? labelOf(i) : `${groupName(by)}=${formatValue(value)}`;
      group = { key, label, members: [] };
      groups.set(key, group);
    }
    group.members.push(i);
  });
  return [...groups.values()].map((g) => ({ ...g, label: by.kind === 'replicates' ? `${g.label} · ${g.members.length} seed${g.members.length === 1 ? '' : 's'}` : `${g.label} (${g.members.length})` }));
}

/** Encodes a GroupBy for a <select> value and back ("none", "method", "replicates", "config:<field>", "sweep:<param>"). */
export function encodeGroupBy(by: GroupBy): string {
  if (by.kind === 'config') return `config:${by.field}`;
  if (by.kind === 'sweep') return `sweep:${by.param}`;
  return by.kind;
}

export function decodeGroupBy(value: string): GroupBy {
  if (value.startsWith('config:')) return { kind: 'config', field: value.slice('config:'.length) };
  if (value.startsWith('sweep:')) return { kind: 'sweep', param: value.slice('sweep:'.length) };
  if (value === 'method' || value === 'replicates') return { kind: value };
  return { kind: 'none' };
}

/** Sweep parameters of any of the runs, sorted. */
export function sweepParamNames(runs: readonly Pick<RunDetail, 'sweepParams'>[]): string[] {
  return [...new Set(runs.flatMap((r) => Object.keys(r.sweepParams ?? {})))].sort();
}
