import type { BackendName } from '@equilab/contracts';
import type { RunnerApiClient } from '../api-client/runner-api.client';
import type { ArtifactStore } from '../artifacts/artifact-store';
import { MetricBatcher } from '../metrics/metric-batcher';
import type { RunnerMetrics } from '../monitoring/runner-metrics';
import type { RunExecution } from './run-execution';

/** What the job processors need from the runner (built once in runner.ts from the validated env). */
export interface ProcessorDeps {
  readonly api: RunnerApiClient;
  readonly store: ArtifactStore;
  readonly workDir: string;
  readonly spillDir: string;
  readonly dataWorkers: number;
  /** Backend used when a job asks for `auto`. */
  readonly defaultBackend: BackendName;
  readonly metrics: {
    readonly batchSize: number;
    readonly flushIntervalMs: number;
    readonly memoryLimit: number;
  };
  /** How long to keep trying to deliver metrics before a run's finish (the rest stays spilled on disk). */
  readonly drainTimeoutMs: number;
  readonly runnerId: () => string;
  /** Executions by run id (cancel and preemption look runs up here). */
  readonly active: Map<string, RunExecution>;
  readonly isShuttingDown: () => boolean;
  /** A log line; `fields` (runId, jobId…) become JSON fields of it. */
  readonly log: (message: string, fields?: Readonly<Record<string, string>>) => void;
  /** The runner's Prometheus metrics (steps/s, images/s, data-loader wait per run). */
  readonly monitor?: RunnerMetrics;
  /** Compiled training-child entry to fork (RUNNER_CHILD_ENTRY; default child/child.main.js). */
  readonly childEntry?: string;
}

/** A started MetricBatcher that sends a run's points to the API with the run's token (spilling when it is down). */
export function startRunMetrics(deps: ProcessorDeps, runId: string, runToken: string, log: (message: string) => void): MetricBatcher {
  return new MetricBatcher({
    meta: { runId, runToken },
    spillRoot: deps.spillDir,
    send: (points) => deps.api.metrics(runId, runToken, points),
    ...deps.metrics,
    log,
  }).start();
}
