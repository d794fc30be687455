import type { EvaluationKind, Run } from '@equilab/contracts';
import type { Run as RunRow } from '../generated/prisma/client';
import { initWeightsOf } from '../interop/init-weights';
import { replicateGroupKey } from '../sweeps/group-key';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
const asRecord = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

export function toRun(row: RunRow): Run {
  const initWeights = initWeightsOf(row.initWeights);
  return {
    id: row.id,
    projectId: row.projectId,
    name: row.name,
    method: row.method,
    config: asRecord(row.config),
    status: row.status,
    attempt: row.attempt,
    seed: row.seed,
    requestedBackend: row.requestedBackend,
    sweepId: row.sweepId,
    sweepParams: row.sweepParams === null ? null : asRecord(row.sweepParams),
    groupKey: replicateGroupKey(row.method, asRecord(row.config), initWeights?.artifactId ?? null),
    sweepConfig: row.sweepConfig,
    replicate: row.replicate,
    tags: row.tags,
    notes: row.notes,
    evaluations:
      row.evaluations === null
        ? null
        : { kinds: (asRecord(row.evaluations)['kinds'] as EvaluationKind[] | undefined) ?? [], config: asRecord(asRecord(row.evaluations)['config']) },
    initWeights,
    runnerId: row.runnerId,
    backend: row.backend,
    threads: row.threads,
    device: row.device,
    step: row.step,
    totalSteps: row.totalSteps,
    epoch: row.epoch,
    totalEpochs: row.totalEpochs,
    imagesPerSecond: row.imagesPerSecond,
    etaSeconds: row.etaSeconds,
    error: row.error,
    createdAt: row.createdAt.toISOString(),
    startedAt: iso(row.startedAt),
    finishedAt: iso(row.finishedAt),
    heartbeatAt: iso(row.heartbeatAt),
  };
}

export function countsByStatus(rows: readonly { status: string; _count: { _all: number } }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of rows) counts[row.status] = row._count._all;
  return counts;
}
