import type { MetricPoint } from '@equilab/contracts';
import { ApiError } from '../api-client/api.error';
import { backoffDelay, delay, type BackoffOptions } from '../api-client/backoff';
import { MetricSpill, type SpillMeta } from './metric-spill';

/** Sends one batch; throws on failure (an ApiError tells retryable from fatal answers). */
export type MetricSender = (points: readonly MetricPoint[]) => Promise<void>;

export interface MetricBatcherOptions {
  readonly meta: SpillMeta;
  readonly spillRoot: string;
  readonly send: MetricSender;
  /** Send when this many points wait (API cap: 10,000). */
  readonly batchSize: number;
  /** Send waiting points at least this often, milliseconds. */
  readonly flushIntervalMs: number;
  /** Points kept in memory before they spill to disk. */
  readonly memoryLimit: number;
  /** Tries per batch before the API counts as unreachable (then memory spills and the next try waits). */
  readonly sendAttempts?: number;
  /** Backoff between tries of a batch and, growing, between rounds while the API is unreachable. */
  readonly backoff?: BackoffOptions;
  readonly log?: (message: string) => void;
}

/**
 * Batches one run's metric points to the API. Points wait in memory (at most `memoryLimit` + one batch in
 * flight); past that, or when the API is unreachable, they spill to disk (MetricSpill) and are replayed —
 * oldest first — once the API answers again. The API writes are idempotent on (run, key, step), so a point
 * sent twice (a replay after a lost answer) is harmless; a batch the API rejects as invalid (4xx) is dropped
 * and logged rather than blocking the run.
 */
export class MetricBatcher {
  private memory: MetricPoint[] = [];
  private readonly spill: MetricSpill;
  private timer: NodeJS.Timeout | null = null;
  private pumping: Promise<boolean> | null = null;
  private failures = 0;
  private nextTryAt = 0;
  /** Points the API accepted (test and log visibility). */
  sentPoints = 0;
  droppedPoints = 0;

  constructor(private readonly options: MetricBatcherOptions) {
    this.spill = new MetricSpill(options.spillRoot, options.meta);
  }

  /** Start the periodic flush (also replays what an earlier process spilled for this run). */
  start(): this {
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), this.options.flushIntervalMs);
      this.timer.unref();
    }
    this.tick();
    return this;
  }

  add(points: readonly MetricPoint[]): void {
    if (points.length === 0) return;
    for (const point of points) this.memory.push(point);
    if (this.memory.length > this.options.memoryLimit) this.spillMemory();
    if (this.memory.length >= this.options.batchSize) this.tick();
  }

  /** Points waiting in memory (bounded by memoryLimit + batchSize). */
  get inMemory(): number {
    return this.memory.length;
  }

  /** Spilled segments waiting on disk. */
  get spilledSegments(): number {
    return this.spill.segments().length;
  }

  /** True while the last send failed (the API is unreachable or failing). */
  get failing(): boolean {
    return this.failures > 0;
  }

  /**
   * Deliver everything (disk and memory) now, retrying until `timeoutMs` passes; what is still unsent then
   * is spilled to disk. Resolves true when everything reached the API.
   */
  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (let round = 0; ; round += 1) {
      const done = await this.pump(true);
      if (done) return true;
      const left = deadline - Date.now();
      if (left <= 0) break;
      await delay(Math.min(left, backoffDelay(round, this.backoffOptions)));
    }
    this.spillMemory();
    return false;
  }

  /** Stop the timer; drain for up to `timeoutMs`; spill the rest. Resolves true when nothing is left. */
  async close(timeoutMs: number): Promise<boolean> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const delivered = await this.drain(timeoutMs);
    if (delivered) this.spill.removeIfEmpty();
    return delivered;
  }

  private get backoffOptions(): BackoffOptions {
    return this.options.backoff ?? { initialMs: 200, maxMs: 30_000 };
  }

  private tick(): void {
    if (this.pumping || Date.now() < this.nextTryAt) return;
    if (this.memory.length === 0 && this.spill.segments().length === 0) return;
    void this.pump(false);
  }

  /** One delivery round (serialised); true when disk and memory are empty afterwards. */
  private pump(force: boolean): Promise<boolean> {
    if (this.pumping) return this.pumping.then(() => this.pump(force));
    if (!force && Date.now() < this.nextTryAt) return Promise.resolve(false);
    this.pumping = this.deliver().finally(() => {
      this.pumping = null;
    });
    return this.pumping;
  }

  private async deliver(): Promise<boolean> {
    try {
      for (const segment of this.spill.segments()) {
        const points = this.spill.read(segment);
        for (let i = 0; i < points.length; i += this.options.batchSize)
          await this.sendBatch(points.slice(i, i + this.options.batchSize));
        this.spill.remove(segment);
      }
      while (this.memory.length > 0) {
        const batch = this.memory.splice(0, this.options.batchSize);
        try {
          await this.sendBatch(batch);
        } catch (error) {
          this.memory.unshift(...batch);
          throw error;
        }
      }
      this.failures = 0;
      this.nextTryAt = 0;
      return true;
    } catch (error) {
      this.failures += 1;
      this.nextTryAt = Date.now() + backoffDelay(this.failures - 1, this.backoffOptions);
      // The API is unreachable: nothing in memory waits on it, it all goes to disk.
      this.spillMemory();
      this.options.log?.(
        `metrics for run ${this.options.meta.runId}: ${error instanceof Error ? error.message : String(error)}; ` +
          `spilled to ${this.spill.dir}, retrying`,
      );
      return false;
    }
  }

  /** Send one batch with a few quick retries; a fatal (4xx) answer drops the batch. */
  private async sendBatch(points: MetricPoint[]): Promise<void> {
    const attempts = this.options.sendAttempts ?? 3;
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.options.send(points);
        this.sentPoints += points.length;
        return;
      } catch (error) {
        if (error instanceof ApiError && !error.retryable) {
          this.droppedPoints += points.length;
          this.options.log?.(
            `metrics for run ${this.options.meta.runId}: dropped ${points.length} points: ${error.message}`,
          );
          return;
        }
        if (attempt + 1 >= attempts) throw error;
        await delay(backoffDelay(attempt, this.backoffOptions));
      }
    }
  }

  private spillMemory(): void {
    if (this.memory.length === 0) return;
    const points = this.memory;
    this.memory = [];
    this.spill.write(points);
  }
}
