import type { Progress } from '@equilab/contracts';

/**
 * Posts the latest progress at most once per `intervalMs` (progress is a gauge: only the newest value
 * matters, so a failed post is not retried — the next one replaces it). `close()` delivers the last value, so a
 * finished run's progress reads its final step.
 */
export class ProgressReporter {
  private latest: Progress | null = null;
  private lastSent = 0;
  private inflight: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly post: (progress: Progress) => Promise<void>,
    private readonly intervalMs: number,
    private readonly log: (message: string) => void,
  ) {}

  report(progress: Progress): void {
    this.latest = progress;
    const wait = this.lastSent + this.intervalMs - Date.now();
    if (wait <= 0) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flush();
      }, wait);
      this.timer.unref();
    }
  }

  /** Stops the timer and sends the newest unsent progress (after any post in flight). */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.inflight) await this.inflight;
    this.flush();
    if (this.inflight) await this.inflight;
  }

  private flush(): void {
    if (this.inflight || !this.latest) return;
    const progress = this.latest;
    this.latest = null;
    this.lastSent = Date.now();
    this.inflight = this.post(progress)
      .catch((error: unknown) =>
        this.log(`progress: ${error instanceof Error ? error.message : String(error)}`),
      )
      .finally(() => {
        this.inflight = null;
      });
  }
}
