import { systemMetricKeys } from '@equilab/contracts';
import { groupMetricKeys, type MetricGroup } from './metric-groups';

/** The prefix of the runner's system metrics (CPU, memory, data-loader wait, GPU). */
export const SYSTEM_PREFIX = 'system/';
export const SYSTEM_GROUP = 'System';

const SYSTEM_TITLES: Record<string, string> = {
  [systemMetricKeys.cpuPercent]: 'CPU %',
  [systemMetricKeys.rssMb]: 'RSS (MB)',
  [systemMetricKeys.tfjsMemoryMb]: 'TensorFlow.js memory (MB)',
  [systemMetricKeys.tfjsTensors]: 'TensorFlow.js tensors',
  [systemMetricKeys.dataWaitFraction]: 'Data-loader wait fraction',
  [systemMetricKeys.gpuUtilizationPercent]: 'GPU utilisation %',
  [systemMetricKeys.gpuMemoryMb]: 'GPU memory (MB)',
};

/** The metric groups of the charts, and the system metrics apart (their own panel, in the catalogue's order). */
export function chartGroups(keys: readonly string[]): { groups: MetricGroup[]; system: string[] } {
  const system = keys.filter((k) => k.startsWith(SYSTEM_PREFIX));
  const order = Object.values(systemMetricKeys) as string[];
  const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
  system.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return { groups: groupMetricKeys(keys.filter((k) => !k.startsWith(SYSTEM_PREFIX))), system };
}

/** A chart's title: the key, or a readable name for a known system metric (with the key). */
export function chartTitle(key: string): string {
  const title = Object.hasOwn(SYSTEM_TITLES, key) ? SYSTEM_TITLES[key] : undefined;
  return title ? `${title} · ${key}` : key;
}
