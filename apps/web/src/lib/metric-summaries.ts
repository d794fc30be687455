import type { MetricSummary, MetricSummaryResponse } from '@equilab/contracts';
import { api } from './api.client';

/** Each run's metric summaries (count, last, min, max per key), by run id. */
export type SummariesByRun = Readonly<Record<string, readonly MetricSummary[]>>;

export async function fetchMetricSummary(runId: string, signal?: AbortSignal): Promise<readonly MetricSummary[]> {
  return (await api<MetricSummaryResponse>(`/runs/${runId}/metrics/summary`, { signal })).metrics;
}

/** The summaries of several runs, one request each, in parallel. */
export async function fetchMetricSummaries(runIds: readonly string[], signal?: AbortSignal): Promise<SummariesByRun> {
  const entries = await Promise.all(runIds.map(async (id) => [id, await fetchMetricSummary(id, signal)] as const));
  return Object.fromEntries(entries);
}

/** Every metric key of the runs, sorted. */
export function summaryKeys(summaries: SummariesByRun): string[] {
  return [...new Set(Object.values(summaries).flatMap((list) => list.map((m) => m.key)))].sort();
}

/** The summary of one run's metric, if it has that metric. */
export function summaryOf(summaries: SummariesByRun, runId: string, key: string): MetricSummary | undefined {
  return summaries[runId]?.find((m) => m.key === key);
}
