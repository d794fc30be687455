import type { Progress } from '@equilab/contracts';

/**
 * Posts the latest progress at most once per `intervalMs` (progress is a gauge: only the newest value
 * matters, so a failed post is not retried — the next one replaces it).
 */
export class ProgressReporter {
  private latest: Progress | null = null;
  private lastSent = 0;
  private sending = false;
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

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private flush(): void {
    if (this.sending || !this.latest) return;
    const progress = this.latest;
    this.latest = null;
    this.sending = true;
    this.lastSent = Date.now();
    this.post(progress)
      .catch((error: unknown) =>
        this.log(`progress: ${error instanceof Error ? error.message : String(error)}`),
      )
      .finally(() => {
        this.sending = false;
      });
  }
}
