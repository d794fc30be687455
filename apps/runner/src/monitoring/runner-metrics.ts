import { createServer, type Server } from 'node:http';
import { systemMetricKeys, type MetricPoint, type Progress } from '@equilab/contracts';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { GpuProbe, GpuSample } from './gpu-probe';

/**
 * Where a job is in its life on this runner: `starting` until its child reports (pretrain: progress or metrics;
 * evaluate: its backend is up), `running`, and `checkpointing` while the runner writes the job's checkpoint or
 * final files to the artifact store and records them (training waits meanwhile), then `running` again.
 */
export const JOB_STATES = ['starting', 'running', 'checkpointing'] as const;
export type JobState = (typeof JOB_STATES)[number];

interface JobRef {
  readonly runId: string;
  readonly jobId: string;
  readonly queue: string;
  state: JobState;
  lastStep: number | null;
  lastAt: number;
}

/**
 * The runner's Prometheus registry and its `GET /metrics` listener (RUNNER_METRICS_HOST:RUNNER_METRICS_PORT,
 * unauthenticated like the API's, for the scraper only): per run, steps/s, images/s, the data-loader wait
 * fraction and the job's state; jobs active and finished per queue; GPU utilisation and memory per GPU read
 * through nvidia-smi at scrape time (no series on a machine without it); Node's process metrics.
 */
export class RunnerMetrics {
  readonly registry = new Registry();
  private readonly jobs = new Map<string, JobRef>();
  private readonly stepsPerSecond: Gauge<'run_id'>;
  private readonly imagesPerSecond: Gauge<'run_id'>;
  private readonly dataWait: Gauge<'run_id'>;
  private readonly jobState: Gauge<'run_id' | 'job_id' | 'queue' | 'state'>;
  private readonly activeJobs: Gauge<'queue'>;
  private readonly finished: Counter<'queue' | 'outcome'>;
  private server: Server | null = null;

  constructor(gpu: GpuProbe, labels: { runner: string }) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ runner: labels.runner });
    collectDefaultMetrics({ register: this.registry });
    this.stepsPerSecond = new Gauge({ name: 'equilab_runner_steps_per_second', help: 'Training steps per second of each run on this runner', labelNames: ['run_id'], registers });
    this.imagesPerSecond = new Gauge({ name: 'equilab_runner_images_per_second', help: 'Images per second (both views) of each run on this runner', labelNames: ['run_id'], registers });
    this.dataWait = new Gauge({
      name: 'equilab_runner_data_wait_fraction',
      help: 'Share of the training loop’s wall time spent waiting for batches (near 1: input-bound)',
      labelNames: ['run_id'],
      registers,
    });
    this.jobState = new Gauge({ name: 'equilab_runner_job_state', help: '1 for the state each job on this runner is in', labelNames: ['run_id', 'job_id', 'queue', 'state'], registers });
    this.activeJobs = new Gauge({ name: 'equilab_runner_active_jobs', help: 'Jobs this runner executes, per queue', labelNames: ['queue'], registers });
    this.finished = new Counter({ name: 'equilab_runner_jobs_finished_total', help: 'Jobs this runner finished, per queue and outcome', labelNames: ['queue', 'outcome'], registers });
    // One nvidia-smi call per scrape, shared by the three GPU gauges.
    let reading: ReturnType<GpuProbe['sample']> | null = null;
    const read = () => (reading ??= gpu.sample().finally(() => setImmediate(() => (reading = null))));
    const gpuGauge = (name: string, help: string, value: (g: GpuSample) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['gpu'],
        registers,
        async collect() {
          this.reset();
          for (const g of (await read()) ?? []) this.set({ gpu: String(g.index) }, value(g));
        },
      });
    gpuGauge('equilab_runner_gpu_utilization_ratio', 'GPU utilisation (NVML through nvidia-smi), 0..1', (g) => g.utilizationPercent / 100);
    gpuGauge('equilab_runner_gpu_memory_used_bytes', 'GPU memory used (NVML through nvidia-smi)', (g) => g.memoryUsedMb * 2 ** 20);
    gpuGauge('equilab_runner_gpu_memory_total_bytes', 'GPU memory (NVML through nvidia-smi)', (g) => g.memoryTotalMb * 2 ** 20);
  }

  /** Job `jobId` of `queue` (for run `runId`) started on this runner. */
  jobStarted(queue: string, jobId: string, runId: string): void {
    const key = `${queue}/${jobId}`;
    if (this.jobs.has(key)) return;
    this.jobs.set(key, { runId, jobId, queue, state: 'starting', lastStep: null, lastAt: 0 });
    this.activeJobs.inc({ queue });
    this.jobState.set({ run_id: runId, job_id: jobId, queue, state: 'starting' }, 1);
  }

  /** Job `jobId` of `queue` ended with `outcome` (succeeded, canceled, preempted, dropped, failed…): its series go. */
  jobEnded(queue: string, jobId: string, outcome: string): void {
    const key = `${queue}/${jobId}`;
    const known = this.jobs.get(key);
    if (!known) return;
    this.jobs.delete(key);
    this.jobState.remove({ run_id: known.runId, job_id: jobId, queue, state: known.state });
    this.activeJobs.dec({ queue });
    this.finished.inc({ queue, outcome });
    if (![...this.jobs.values()].some((j) => j.runId === known.runId))
      for (const gauge of [this.stepsPerSecond, this.imagesPerSecond, this.dataWait]) gauge.remove({ run_id: known.runId });
  }

  /** Job `jobId` of `queue` moves to `state` (e.g. `checkpointing` while its files go to the store, then `running`). */
  jobPhase(queue: string, jobId: string, state: JobState): void {
    const known = this.jobs.get(`${queue}/${jobId}`);
    if (!known || known.state === state) return;
    this.jobState.remove({ run_id: known.runId, job_id: jobId, queue, state: known.state });
    known.state = state;
    this.jobState.set({ run_id: known.runId, job_id: jobId, queue, state }, 1);
  }

  /** The job of run `runId` its child is reporting for (the pretrain job when both kinds run). */
  private running(runId: string): JobRef | undefined {
    let found: JobRef | undefined;
    for (const job of this.jobs.values()) if (job.runId === runId && (!found || job.queue === 'pretrain')) found = job;
    if (found && found.state === 'starting') {
      this.jobState.remove({ run_id: runId, job_id: found.jobId, queue: found.queue, state: 'starting' });
      found.state = 'running';
      this.jobState.set({ run_id: runId, job_id: found.jobId, queue: found.queue, state: 'running' }, 1);
    }
    return found;
  }

  /** A progress report of run `runId`: images/s as the trainer measured it, steps/s from the step count's change. */
  progress(runId: string, progress: Progress, now = Date.now()): void {
    this.imagesPerSecond.set({ run_id: runId }, progress.imagesPerSecond);
    const known = this.running(runId);
    if (!known) return;
    if (known.lastStep !== null && now > known.lastAt && progress.step >= known.lastStep) {
      this.stepsPerSecond.set({ run_id: runId }, ((progress.step - known.lastStep) * 1000) / (now - known.lastAt));
    }
    known.lastStep = progress.step;
    known.lastAt = now;
  }

  /** Metric points of run `runId` on their way to the API: the data-loader wait fraction is kept. */
  metrics(runId: string, points: readonly MetricPoint[]): void {
    this.running(runId);
    for (let i = points.length - 1; i >= 0; i -= 1) {
      const point = points[i]!;
      if (point.key === systemMetricKeys.dataWaitFraction) {
        this.dataWait.set({ run_id: runId }, point.value);
        return;
      }
    }
  }

  /** Serves `GET /metrics` on host:port (0: an ephemeral port); resolves with the bound port. */
  async serve(host: string, port: number): Promise<number> {
    const server = createServer((req, res) => {
      if ((req.url ?? '/').split('?')[0] !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
        return;
      }
      this.registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(req.method === 'HEAD' ? undefined : body),
        (error: unknown) => res.writeHead(503, { 'content-type': 'text/plain' }).end(`metrics unavailable: ${error instanceof Error ? error.message : String(error)}\n`),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    const address = server.address();
    return address && typeof address === 'object' ? address.port : port;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
