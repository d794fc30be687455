import type { RunDetail } from '@equilab/contracts';
import { flatten, formatValue } from '@/lib/format';
import { summaryOf, type SummariesByRun } from '@/lib/metric-summaries';
import { isRankable, lowerIsBetter } from '@/lib/metric-groups';

/** One config field whose value differs between the compared runs, with each run's value (in run order). */
export interface DifferingField {
  key: string;
  values: readonly unknown[];
}

/** `final`: each metric's last value; `best`: its minimum or maximum, whichever is better for the metric. */
export type ValueMode = 'last' | 'best';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The run ids in a pasted or `?runs=` list (commas or whitespace between them); anything else is dropped. */
export function parseRunIds(text: string): string[] {
  return text.split(/[\s,]+/).filter((s) => UUID.test(s));
}

/** Config fields (flattened, plus method and seed) that are not the same in every run, sorted by name. */
export function configDifferences(runs: readonly Pick<RunDetail, 'config' | 'method' | 'seed'>[]): DifferingField[] {
  const flat: Record<string, unknown>[] = runs.map((r) => ({ ...flatten(r.config), method: r.method, seed: r.seed }));
  const keys = [...new Set(flat.flatMap((f) => Object.keys(f)))].sort();
  return keys.filter((key) => new Set(flat.map((f) => JSON.stringify(f[key] ?? null))).size > 1).map((key) => ({ key, values: flat.map((f) => f[key]) }));
}

/** A run's legend label: its name and the differing fields other than the seed, `name (lr=0.1, equi=4)`. */
export function runLabel(name: string, index: number, differences: readonly DifferingField[]): string {
  const parts = differences.filter((d) => d.key !== 'seed').map((d) => `${d.key}=${formatValue(d.values[index])}`);
  return parts.length > 0 ? `${name} (${parts.join(', ')})` : name;
}

export function metricValue(summaries: SummariesByRun, runId: string, key: string, mode: ValueMode): number | undefined {
  const summary = summaryOf(summaries, runId, key);
  if (!summary) return undefined;
  if (mode === 'last') return summary.last;
  return lowerIsBetter(key) ? summary.min : summary.max;
}

/** The best value of each rankable metric over the runs (when at least two runs have a finite value). */
export function bestValues(summaries: SummariesByRun, runIds: readonly string[], keys: readonly string[], mode: ValueMode): Map<string, number> {
  const best = new Map<string, number>();
  for (const key of keys.filter(isRankable)) {
    const values = runIds.map((id) => metricValue(summaries, id, key, mode)).filter((v): v is number => v !== undefined && Number.isFinite(v));
    if (values.length > 1) best.set(key, lowerIsBetter(key) ? Math.min(...values) : Math.max(...values));
  }
  return best;
}
