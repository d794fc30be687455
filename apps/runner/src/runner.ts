import { hostname, cpus } from 'node:os';
import { jobCatalogue, type RunnerEnv } from '@equilab/contracts';
import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { delay, backoffDelay } from './api-client/backoff';
import { RunnerApiClient } from './api-client/runner-api.client';
import type { ArtifactStore } from './artifacts/artifact-store';
import { DirectoryArtifactStore } from './artifacts/directory.artifact-store';
import { CancelSubscriber } from './cancel.subscriber';
import { processEvaluateJob } from './jobs/evaluate.processor';
import { processPretrainJob } from './jobs/pretrain.processor';
import type { ProcessorDeps } from './jobs/processor.deps';
import type { RunExecution } from './jobs/run-execution';
import { MetricBatcher } from './metrics/metric-batcher';
import { MetricSpill } from './metrics/metric-spill';
import { GpuProbe } from './monitoring/gpu-probe';
import { createLogger, type Logger } from './monitoring/logger';
import { RunnerMetrics } from './monitoring/runner-metrics';

export interface RunnerOptions {
  readonly env: RunnerEnv;
  readonly store?: ArtifactStore;
  /** Log lines (default: the pino logger, JSON lines on stdout); `fields` carry runId / jobId. */
  readonly log?: (message: string, fields?: Readonly<Record<string, string>>) => void;
}

/**
 * A runner: registers with the API, heartbeats, consumes the `pretrain` / `evaluate` queues with one slot
 * per device (RUNNER_DEVICES), forwards Redis cancellations to its runs, and on shutdown preempts every run
 * (checkpoint, `finish preempted`) before closing its workers.
 */
export class Runner {
  readonly api: RunnerApiClient;
  readonly store: ArtifactStore;
  private readonly env: RunnerEnv;
  private readonly log: (message: string, fields?: Readonly<Record<string, string>>) => void;
  /** The runner's pino logger (main.ts logs its signal notes with it). */
  readonly logger: Logger;
  /** Prometheus metrics, served on RUNNER_METRICS_HOST:RUNNER_METRICS_PORT once started. */
  readonly monitor: RunnerMetrics;
  private monitorPort: number | null = null;
  private readonly active = new Map<string, RunExecution>();
  private readonly workers: Worker[] = [];
  private readonly connections: Redis[] = [];
  private cancelSubscriber: CancelSubscriber | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private id: string | null = null;
  private shuttingDown = false;
  private readonly shutdownController = new AbortController();
  private readonly replays: Promise<void>[] = [];

  constructor(options: RunnerOptions) {
    this.env = options.env;
    this.logger = createLogger(this.env, { runner: this.name });
    this.log = options.log ?? ((message, fields) => this.logger.info(fields ?? {}, message));
    this.monitor = new RunnerMetrics(new GpuProbe(), { runner: this.name });
    this.api = new RunnerApiClient({ baseUrl: this.env.API_URL, runnerToken: this.env.API_TOKEN });
    this.store = options.store ?? new DirectoryArtifactStore(this.env.ARTIFACT_DIR);
  }

  get runnerId(): string | null {
    return this.id;
  }

  /** The port the runner's /metrics listens on (null: off or not started). */
  get metricsPort(): number | null {
    return this.monitorPort;
  }

  get name(): string {
    return this.env.RUNNER_NAME ?? `${hostname()}-${process.pid}`;
  }

  /** Register (retrying until the API answers), then start consuming jobs. */
  async start(): Promise<void> {
    const device = this.env.RUNNER_BACKEND === 'tensorflow-gpu' ? 'gpu' : `cpu (${cpus().length} cores)`;
    for (let attempt = 0; !this.id; attempt += 1) {
      if (this.shuttingDown) return;
      try {
        this.id = await this.api.registerRunner({
          name: this.name,
          hostname: hostname(),
          devices: this.env.RUNNER_DEVICES,
          device,
          backend: this.env.RUNNER_BACKEND,
        });
      } catch (error) {
        this.log(`registration failed (${error instanceof Error ? error.message : String(error)}), retrying`);
        await delay(backoffDelay(attempt, { initialMs: 500, maxMs: 10_000 }), this.shutdownController.signal);
      }
    }
    this.log(
      `registered as ${this.id} (${this.name}, ${this.env.RUNNER_DEVICES} device(s), ${this.env.RUNNER_BACKEND})`,
    );

    this.replaySpilledMetrics();
    if (this.env.RUNNER_METRICS_PORT !== 'off') {
      try {
        this.monitorPort = await this.monitor.serve(this.env.RUNNER_METRICS_HOST, this.env.RUNNER_METRICS_PORT);
        this.log(`Prometheus metrics on http://${this.env.RUNNER_METRICS_HOST}:${this.monitorPort}/metrics`, { metricsPort: String(this.monitorPort) });
      } catch (error) {
        // A taken port costs the metrics, not the runner.
        this.log(`metrics listener on ${this.env.RUNNER_METRICS_HOST}:${this.env.RUNNER_METRICS_PORT} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    this.cancelSubscriber = new CancelSubscriber(this.env.REDIS_URL, (runId) => this.cancel(runId), this.log);
    await this.cancelSubscriber.start();

    const deps: ProcessorDeps = {
      api: this.api,
      store: this.store,
      workDir: this.env.WORK_DIR,
      spillDir: this.env.SPILL_DIR,
      dataWorkers: this.env.RUNNER_DATA_WORKERS,
      defaultBackend: this.env.RUNNER_BACKEND,
      metrics: {
        batchSize: this.env.METRICS_BATCH_SIZE,
        flushIntervalMs: this.env.METRICS_FLUSH_MS,
        memoryLimit: this.env.METRICS_MEMORY_LIMIT,
      },
      drainTimeoutMs: 20_000,
      runnerId: () => this.id ?? '',
      active: this.active,
      isShuttingDown: () => this.shuttingDown,
      log: this.log,
      monitor: this.monitor,
      ...(this.env.RUNNER_CHILD_ENTRY ? { childEntry: this.env.RUNNER_CHILD_ENTRY } : {}),
    };
    const processors = {
      pretrain: (job: Job, token?: string) => this.monitored('pretrain', job, () => processPretrainJob(job, token, deps)),
      evaluate: (job: Job, token?: string) => this.monitored('evaluate', job, () => processEvaluateJob(job, token, deps)),
    };
    for (const queue of this.env.RUNNER_QUEUES) {
      const connection = new Redis(this.env.REDIS_URL, { maxRetriesPerRequest: null });
      this.connections.push(connection);
      const worker = new Worker(jobCatalogue[queue].queue, processors[queue], {
        connection,
        prefix: this.env.QUEUE_PREFIX,
        concurrency: this.env.RUNNER_DEVICES,
        lockDuration: this.env.RUNNER_LOCK_DURATION_MS,
        stalledInterval: this.env.RUNNER_STALLED_INTERVAL_MS,
        maxStalledCount: this.env.RUNNER_MAX_STALLED_COUNT,
      });
      worker.on('failed', (job, error) =>
        this.log(`job ${job?.id ?? '?'} (${queue}) failed: ${error.message.split('\n')[0]}`),
      );
      worker.on('error', (error) => this.log(`worker ${queue}: ${error.message}`));
      this.workers.push(worker);
    }
    await Promise.all(this.workers.map((worker) => worker.waitUntilReady()));
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), this.env.RUNNER_HEARTBEAT_MS);
    void this.heartbeat();
    this.log(`consuming ${this.env.RUNNER_QUEUES.join(', ')} (prefix ${this.env.QUEUE_PREFIX})`);
  }

  /** Runs a job's processor with its state in the runner's metrics (starting → running → its outcome). */
  private async monitored<T extends { status: string }>(queue: string, job: Job, process: () => Promise<T>): Promise<T> {
    const jobId = String(job.id);
    const runId = (job.data as { runId?: unknown } | undefined)?.runId;
    this.monitor.jobStarted(queue, jobId, typeof runId === 'string' ? runId : '');
    let outcome = 'failed';
    try {
      const result = await process();
      outcome = result.status;
      return result;
    } catch (error) {
      // BullMQ's DelayedError: handed back to the queue, not failed.
      if (error instanceof Error && error.name === 'DelayedError') outcome = 'requeued';
      throw error;
    } finally {
      this.monitor.jobEnded(queue, jobId, outcome);
    }
  }

  /** Stop a run this runner executes (cancel from Redis or from a heartbeat answer). */
  cancel(runId: string): boolean {
    let found = false;
    for (const execution of this.active.values())
      if (execution.runId === runId) {
        execution.stop('cancel');
        found = true;
      }
    return found;
  }

  /**
   * Preempt every run (each child checkpoints and stops; the run is reported `preempted`) and close the
   * workers once their jobs are done. Resolves when the runner can exit.
   */
  async shutdown(): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.shutdownController.abort();
    this.log(`shutting down: preempting ${this.active.size} run(s)`);
    for (const execution of this.active.values()) execution.stop('preempt');
    await Promise.all(this.workers.map((worker) => worker.close()));
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    await this.cancelSubscriber?.close();
    await this.monitor.close();
    await Promise.all(
      this.connections.map((connection) => connection.quit().catch(() => connection.disconnect())),
    );
    this.log('stopped');
  }

  private lastHeartbeatError = '';

  private async heartbeat(): Promise<void> {
    if (!this.id || this.shuttingDown) return;
    // Evaluations (keys `<runId>#<evaluationId>`) run for finished runs: the API would answer "cancel" for them.
    const activeRunIds = [...new Set([...this.active.entries()].filter(([key]) => !key.includes('#')).map(([, execution]) => execution.runId))];
    try {
      const answer = await this.api.heartbeat(this.id, { activeRunIds });
      this.lastHeartbeatError = '';
      for (const runId of answer.cancelRunIds) this.cancel(runId);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (message !== this.lastHeartbeatError) this.log(`heartbeat: ${message}`);
      this.lastHeartbeatError = message;
    }
  }

  /** Send metrics an earlier runner process spilled (API unreachable at the time) in the background. */
  private replaySpilledMetrics(): void {
    for (const meta of MetricSpill.pending(this.env.SPILL_DIR)) {
      const batcher = new MetricBatcher({
        meta,
        spillRoot: this.env.SPILL_DIR,
        send: (points) => this.api.metrics(meta.runId, meta.runToken, points),
        batchSize: this.env.METRICS_BATCH_SIZE,
        flushIntervalMs: this.env.METRICS_FLUSH_MS,
        memoryLimit: this.env.METRICS_MEMORY_LIMIT,
        log: this.log,
      });
      this.replays.push(
        (async () => {
          while (!this.shuttingDown)
            if (await batcher.close(30_000)) return this.log(`replayed spilled metrics of run ${meta.runId}`);
        })(),
      );
    }
  }
}
