import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import {
  METRICS_COALESCE_MS,
  projectRoom,
  QUEUE_ROOM,
  runRoom,
  SocketEvents,
  sweepRoom,
  type EvaluationEvent,
  type MetricPoint,
  type MetricsEvent,
  type QueueCounts,
  type QueueEvent,
  type Run,
  type RunEvent,
} from '@equilab/contracts';
import type { Server } from 'socket.io';

interface RunRef {
  readonly id: string;
  readonly projectId: string;
  readonly sweepId: string | null;
}

const roomsOf = (run: RunRef): string[] => [runRoom(run.id), projectRoom(run.projectId), ...(run.sweepId ? [sweepRoom(run.sweepId)] : [])];

/**
 * Emits socket.io events. `server.to(room).emit` goes through the Redis adapter, so clients of every replica
 * get events that originate here. Metric points are coalesced per room: at most one `metrics` event per room
 * every METRICS_COALESCE_MS on this replica.
 */
@Injectable()
export class LiveService implements OnModuleDestroy {
  private server: Server | null = null;
  private readonly pending = new Map<string, Map<string, MetricPoint[]>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly lastFlush = new Map<string, number>();

  attach(server: Server): void {
    this.server = server;
  }

  /** socket.io clients connected to this replica (observability's gauge). */
  connectedClients(): number {
    return this.server?.engine.clientsCount ?? 0;
  }

  /** Emits `name` to the run's rooms (run, project, sweep); each room gets the event `of(room)`. */
  private toRunRooms(run: RunRef, name: string, of: (room: string) => unknown): void {
    const server = this.server;
    if (!server) return;
    for (const room of roomsOf(run)) server.to(room).emit(name, of(room));
  }

  run(run: Run): void {
    this.toRunRooms(run, SocketEvents.run, (room): RunEvent => ({ room, run }));
  }

  /** An evaluation of `run` changed state or stored a result. */
  evaluation(run: RunRef, update: Omit<EvaluationEvent, 'room'>): void {
    this.toRunRooms(run, SocketEvents.evaluation, (room): EvaluationEvent => ({ room, ...update }));
  }

  queue(queue: string, counts: QueueCounts): void {
    const event: QueueEvent = { queue, counts };
    this.server?.to(QUEUE_ROOM).emit(SocketEvents.queue, event);
  }

  metrics(run: RunRef, points: readonly MetricPoint[]): void {
    if (!this.server || points.length === 0) return;
    for (const room of roomsOf(run)) {
      let byRun = this.pending.get(room);
      if (!byRun) {
        byRun = new Map();
        this.pending.set(room, byRun);
      }
      const list = byRun.get(run.id);
      if (list) for (const p of points) list.push(p);
      else byRun.set(run.id, [...points]);
      this.schedule(room);
    }
  }

  private schedule(room: string): void {
    if (this.timers.has(room)) return;
    const since = Date.now() - (this.lastFlush.get(room) ?? 0);
    const delay = Math.max(0, METRICS_COALESCE_MS - since);
    const timer = setTimeout(() => this.flush(room), delay);
    timer.unref();
    this.timers.set(room, timer);
  }

  private flush(room: string): void {
    this.timers.delete(room);
    const byRun = this.pending.get(room);
    this.pending.delete(room);
    this.lastFlush.set(room, Date.now());
    if (this.lastFlush.size > 50_000) this.lastFlush.clear();
    if (!byRun || !this.server) return;
    const event: MetricsEvent = { room, runs: [...byRun].map(([runId, points]) => ({ runId, points })) };
    this.server.to(room).emit(SocketEvents.metrics, event);
  }

  onModuleDestroy(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.pending.clear();
  }
}
