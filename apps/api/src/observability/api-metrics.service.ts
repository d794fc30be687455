import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Pool } from 'pg';
import { PgPoolService } from '../database/pg-pool.service';
import { PrismaService } from '../database/prisma.service';
import { LiveService } from '../live/live.service';
import { DispatchService } from '../queue/dispatch.service';

/** BullMQ states exported per queue (the waiting/active/failed, and the two that also wait for a runner). */
const QUEUE_STATES = ['waiting', 'prioritized', 'delayed', 'active', 'failed'] as const;

/**
 * The API's Prometheus registry (one per application, so test apps in one process do not share counters):
 * Node's default process metrics, HTTP latency by route template and status, metric points ingested, socket.io
 * clients, BullMQ jobs per queue and state, and both PostgreSQL pools. Gauges are read at scrape time.
 */
@Injectable()
export class ApiMetricsService {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly pointsIngested: Counter;
  private readonly metricBatches: Counter;

  constructor(
    private readonly dispatch: DispatchService,
    private readonly live: LiveService,
    private readonly bulkPool: PgPoolService,
    private readonly prisma: PrismaService,
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.httpDuration = new Histogram({
      name: 'equilab_http_request_duration_seconds',
      help: 'HTTP request latency by method, route template (unmatched for no route) and status code',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.pointsIngested = new Counter({ name: 'equilab_metric_points_ingested_total', help: 'Metric points stored (POST /api/runs/:id/metrics)', registers });
    this.metricBatches = new Counter({ name: 'equilab_metric_batches_ingested_total', help: 'Metric batches stored', registers });
    const liveService = this.live;
    new Gauge({
      name: 'equilab_socketio_clients',
      help: 'socket.io clients connected to this replica',
      registers,
      collect() {
        this.set(liveService.connectedClients());
      },
    });
    const dispatchService = this.dispatch;
    new Gauge({
      name: 'equilab_queue_jobs',
      help: 'BullMQ jobs per queue and state',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        this.reset();
        for (const queue of dispatchService.queues()) {
          const counts = await queue.getJobCounts(...QUEUE_STATES);
          for (const state of QUEUE_STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
        }
      },
    });
    const pools: ReadonlyArray<[string, Pool]> = [
      ['prisma', this.prisma.pool],
      ['bulk', this.bulkPool],
    ];
    const poolGauge = (name: string, help: string, read: (pool: Pool) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['pool'],
        registers,
        collect() {
          for (const [label, pool] of pools) this.set({ pool: label }, read(pool));
        },
      });
    poolGauge('equilab_pg_pool_connections', 'PostgreSQL connections open per pool (prisma: queries, bulk: metric COPY and set reads)', (p) => p.totalCount);
    poolGauge('equilab_pg_pool_idle_connections', 'PostgreSQL connections idle per pool', (p) => p.idleCount);
    poolGauge('equilab_pg_pool_waiting_clients', 'Queries waiting for a PostgreSQL connection per pool', (p) => p.waitingCount);
    poolGauge('equilab_pg_pool_max_connections', 'Configured size of each PostgreSQL pool', (p) => p.options.max ?? 10);
  }

  /** Hook for the metric write path: a stored batch of `points` points. */
  ingested(points: number): void {
    this.metricBatches.inc();
    this.pointsIngested.inc(points);
  }

  /** The registry in Prometheus' text exposition format. */
  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
