/** The reference's TensorBoard tag prefixes, in display order; other keys fall into "Other". */
export const METRIC_GROUPS = ['Loss/', 'Stats/', 'Online eval reprs/', 'Online eval embs/', 'General/'] as const;

export interface MetricGroup {
  name: string;
  keys: string[];
}

export function groupMetricKeys(keys: readonly string[]): MetricGroup[] {
  const groups = new Map<string, string[]>();
  for (const prefix of METRIC_GROUPS) groups.set(prefix.slice(0, -1), []);
  const other: string[] = [];
  for (const key of [...keys].sort()) {
    const prefix = METRIC_GROUPS.find((p) => key.startsWith(p));
    if (prefix) groups.get(prefix.slice(0, -1))?.push(key);
    else other.push(key);
  }
  const result: MetricGroup[] = [];
  for (const [name, list] of groups) if (list.length > 0) result.push({ name, keys: list });
  if (other.length > 0) result.push({ name: 'Other', keys: other });
  return result;
}

/** True when a lower value of the metric is better (losses, errors); used to highlight the best run. */
export function lowerIsBetter(key: string): boolean {
  return /loss|error|err\b|\bce\b|mse|std|time/i.test(key) && !/acc|r2|top/i.test(key);
}

/** Bookkeeping series (epoch, learning rate, elapsed time) have no "best" value. */
export function isRankable(key: string): boolean {
  return !key.startsWith('General/');
}
