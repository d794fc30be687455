import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import {
  METRICS_COALESCE_MS,
  METRICS_EVENT_MAX_POINTS,
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
import { MetricsThrottle } from './metrics-throttle';

interface RunRef {
  readonly id: string;
  readonly projectId: string;
  readonly sweepId: string | null;
}

const roomsOf = (run: RunRef): string[] => [runRoom(run.id), projectRoom(run.projectId), ...(run.sweepId ? [sweepRoom(run.sweepId)] : [])];

/**
 * Emits socket.io events. `server.to(room).emit` goes through the Redis adapter, so clients of every replica
 * get events that originate here. Metric events are throttled per room on the leading edge (MetricsThrottle):
 * a quiet room's points go out at once, a busy room's are coalesced for at most METRICS_COALESCE_MS on this
 * replica; an event holds at most METRICS_EVENT_MAX_POINTS points.
 */
@Injectable()
export class LiveService implements OnModuleDestroy {
  private server: Server | null = null;
  private readonly throttle = new MetricsThrottle(METRICS_COALESCE_MS, METRICS_EVENT_MAX_POINTS, (room, runs) => {
    const event: MetricsEvent = { room, runs };
    this.server?.to(room).emit(SocketEvents.metrics, event);
  });

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
    for (const room of roomsOf(run)) this.throttle.push(room, run.id, points);
  }

  onModuleDestroy(): void {
    this.throttle.close();
  }
}
