import { Injectable } from '@nestjs/common';
import {
  MAX_METRIC_BATCH,
  type MetricPoint,
  type MetricSummaryResponse,
  type Series,
  type SeriesResponse,
  compareQuerySchema,
  encodeColumnarSeries,
  seriesQuerySchema,
  type ColumnarSeriesResponse,
  type SeriesFormat,
} from '@equilab/contracts';
import type { z } from 'zod';
import { AppError } from '../common/app-error';
import { LiveService } from '../live/live.service';
import { PrismaService } from '../database/prisma.service';
import { ApiMetricsService } from '../observability/api-metrics.service';
import type { ExportRow } from './metrics-export';
import { MetricsRepository, storedAsPoints, type StoredSeries } from './metrics.repository';

/** Most run × key series one compare call may ask for. */
export const MAX_COMPARE_SERIES = 2_000;

@Injectable()
export class MetricsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly repo: MetricsRepository,
    private readonly live: LiveService,
    private readonly observability: ApiMetricsService,
  ) {}

  /** Run → project/sweep never changes: cache it for the hot write path (a deleted run fails the FK → 404). */
  private readonly refs = new Map<string, { id: string; projectId: string; sweepId: string | null }>();

  private async cachedRunRef(id: string) {
    const hit = this.refs.get(id);
    if (hit) return hit;
    const ref = await this.runRef(id);
    if (this.refs.size >= 10_000) this.refs.clear();
    this.refs.set(id, ref);
    return ref;
  }

  private async runRef(id: string) {
    const run = await this.prisma.run.findUnique({ where: { id }, select: { id: true, projectId: true, sweepId: true } });
    if (!run) throw AppError.notFound('run', id);
    return run;
  }

  async write(runId: string, points: readonly MetricPoint[]): Promise<{ accepted: number }> {
    if (points.length > MAX_METRIC_BATCH) {
      throw new AppError('payload_too_large', `a metric batch holds at most ${MAX_METRIC_BATCH} points, got ${points.length}`);
    }
    const run = await this.cachedRunRef(runId);
    await this.repo.upsert(runId, points);
    this.observability.ingested(points.length);
    this.live.metrics(run, points);
    return { accepted: points.length };
  }

  async series(runId: string, query: z.output<typeof seriesQuerySchema>): Promise<SeriesResponse | ColumnarSeriesResponse> {
    await this.runRef(runId);
    const pairs = query.keys.map((key) => ({ runId, key }));
    return this.respond(pairs, await this.repo.seriesMany(pairs, query, query.points), query.format);
  }

  /** Series reads in the wire format asked for (version 1 `points`, or version 2 `columnar`). */
  private respond(pairs: readonly { runId: string; key: string }[], stored: readonly StoredSeries[], format: SeriesFormat): SeriesResponse | ColumnarSeriesResponse {
    if (format === 'columnar') return { format, series: pairs.map((p, i) => encodeColumnarSeries({ ...p, ...stored[i]! })) };
    return { series: pairs.map((p, i): Series => ({ ...p, ...storedAsPoints(stored[i]!) })) };
  }

  async summary(runId: string): Promise<MetricSummaryResponse> {
    await this.runRef(runId);
    return { runId, metrics: await this.repo.summary(runId) };
  }

  /** The stored points of a run for an export (404 for an unknown run), page by page. */
  async exportRun(runId: string, keys: readonly string[] | undefined): Promise<AsyncIterable<readonly ExportRow[]>> {
    await this.runRef(runId);
    return this.repo.exportRows([runId], keys);
  }

  /** The stored points of every run of a sweep (404 for an unknown sweep), page by page. */
  async exportSweep(sweepId: string, keys: readonly string[] | undefined): Promise<AsyncIterable<readonly ExportRow[]>> {
    const sweep = await this.prisma.sweep.findUnique({ where: { id: sweepId }, include: { runs: { select: { id: true } } } });
    if (!sweep) throw AppError.notFound('sweep', sweepId);
    return this.repo.exportRows(sweep.runs.map((r) => r.id), keys);
  }

  async compare(query: z.output<typeof compareQuerySchema>): Promise<SeriesResponse | ColumnarSeriesResponse> {
    const keys = query.keys;
    if (keys && query.runIds.length * keys.length > MAX_COMPARE_SERIES) {
      throw AppError.field('runIds', `runIds × keys must stay ≤ ${MAX_COMPARE_SERIES}`);
    }
    const found = await this.prisma.run.findMany({ where: { id: { in: query.runIds } }, select: { id: true } });
    const known = new Set(found.map((r) => r.id));
    const missing = query.runIds.find((id) => !known.has(id));
    if (missing) throw AppError.notFound('run', missing);
    // keys left out: every series of the runs, in the order of runIds, then by key
    const pairs = keys ? query.runIds.flatMap((runId) => keys.map((key) => ({ runId, key }))) : await this.repo.seriesOf(query.runIds);
    if (pairs.length > MAX_COMPARE_SERIES) {
      throw AppError.field('keys', `these runs hold ${pairs.length} series, more than ${MAX_COMPARE_SERIES} in one call: name the keys, or ask for fewer runs`);
    }
    return this.respond(pairs, await this.repo.seriesMany(pairs, query, query.points), query.format);
  }
}
