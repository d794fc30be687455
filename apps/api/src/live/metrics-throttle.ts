import type { MetricPoint } from '@equilab/contracts';

/** One `metrics` event's payload before it gets its room: points grouped by run, in arrival order. */
export type RunPoints = { runId: string; points: MetricPoint[] }[];

interface RoomState {
  timer: NodeJS.Timeout;
  pending: Map<string, MetricPoint[]>;
}

/**
 * Leading-edge throttling of metric events per room. A quiet room's points are emitted at once and open a
 * window of `windowMs`; points arriving inside the window are coalesced and emitted when it ends, which opens the
 * next window; a window that ends with nothing pending makes the room quiet again. So a room gets at most one
 * batch of events per window, and a point waits at most one window. Every emitted event holds at most `maxPoints`
 * points (a larger batch goes out as several events, in order; nothing is dropped). Written by hand: throttle
 * libraries (lodash.throttle, p-throttle) throttle calls, not a per-key accumulation split into bounded payloads.
 */
export class MetricsThrottle {
  private readonly rooms = new Map<string, RoomState>();

  constructor(
    private readonly windowMs: number,
    private readonly maxPoints: number,
    private readonly emit: (room: string, runs: RunPoints) => void,
  ) {}

  push(room: string, runId: string, points: readonly MetricPoint[]): void {
    if (points.length === 0) return;
    const state = this.rooms.get(room);
    if (state) {
      const list = state.pending.get(runId);
      if (list) for (const p of points) list.push(p);
      else state.pending.set(runId, [...points]);
      return;
    }
    this.send(room, new Map([[runId, [...points]]]));
    this.rooms.set(room, { timer: this.startTimer(room), pending: new Map() });
  }

  /** Rooms inside a throttle window (busy). */
  get busyRooms(): number {
    return this.rooms.size;
  }

  close(): void {
    for (const s of this.rooms.values()) clearTimeout(s.timer);
    this.rooms.clear();
  }

  private startTimer(room: string): NodeJS.Timeout {
    const timer = setTimeout(() => this.windowEnd(room), this.windowMs);
    timer.unref();
    return timer;
  }

  private windowEnd(room: string): void {
    const state = this.rooms.get(room);
    if (!state) return;
    if (state.pending.size === 0) {
      this.rooms.delete(room);
      return;
    }
    const pending = state.pending;
    state.pending = new Map();
    state.timer = this.startTimer(room);
    this.send(room, pending);
  }

  /** Emits `byRun` as events of at most maxPoints points each. */
  private send(room: string, byRun: Map<string, MetricPoint[]>): void {
    let event: RunPoints = [];
    let size = 0;
    for (const [runId, points] of byRun) {
      for (let i = 0; i < points.length; ) {
        const take = Math.min(points.length - i, this.maxPoints - size);
        event.push({ runId, points: i === 0 && take === points.length ? points : points.slice(i, i + take) });
        size += take;
        i += take;
        if (size === this.maxPoints) {
          this.emit(room, event);
          event = [];
          size = 0;
        }
      }
    }
    if (size > 0) this.emit(room, event);
  }
}
