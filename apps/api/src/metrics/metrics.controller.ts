import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import {
  compareQuerySchema,
  exportQuerySchema,
  MAX_METRIC_BATCH,
  metricBatchResultSchema,
  metricBatchSchema,
  metricSummaryResponseSchema,
  seriesQuerySchema,
  anySeriesResponseSchema,
  type ColumnarSeriesResponse,
  type MetricSummaryResponse,
  type SeriesResponse,
} from '@equilab/contracts';
import type { Response } from 'express';
import { accessibleRunId } from '../auth/auth.guard';
import { CurrentPrincipal, Resources, Scopes, type Principal } from '../auth/principal';
import { AppError, parseInput } from '../common/app-error';
import { parseId } from '../common/params';
import { fastMetricBatch } from './metric-batch.fast-path';
import { MetricsService } from './metrics.service';
import { streamExport } from './metrics-export';
import { sendDownload } from '../interop/download';
import { InteropService } from '../interop/interop.service';
import { ApiDoc } from '../openapi/api-doc.decorator';

/** Every export format's media type (csv, jsonl streamed here; tfevents by the interop module). */
const METRIC_EXPORT_FILE = { produces: ['text/csv', 'application/x-ndjson', 'application/octet-stream'] };

@Controller()
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly interop: InteropService,
  ) {}

  @ApiDoc({ summary: 'Write a batch of ≤ 10,000 metric points (idempotent upsert; more → 413)', body: metricBatchSchema, response: metricBatchResultSchema })
  @Post('runs/:id/metrics')
  @Scopes('admin', 'member', 'run')
  @Resources({ kind: 'run', param: 'id' })
  write(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<{ accepted: number }> {
    const runId = accessibleRunId(principal, id);
    const points = (body as { points?: unknown } | null)?.points;
    if (Array.isArray(points) && points.length > MAX_METRIC_BATCH) {
      throw new AppError('payload_too_large', `a metric batch holds at most ${MAX_METRIC_BATCH} points, got ${points.length}`);
    }
    return this.metrics.write(runId, fastMetricBatch(body) ?? parseInput(metricBatchSchema, body).points);
  }

  @ApiDoc({ summary: 'Series of keys, downsampled keeping each bucket’s first/min/max/last (format=columnar: parallel arrays)', query: seriesQuerySchema, response: anySeriesResponseSchema })
  @Get('runs/:id/metrics')
  @Scopes('admin', 'member')
  @Resources({ kind: 'run', param: 'id' })
  series(@Param('id') id: string, @Query() query: unknown): Promise<SeriesResponse | ColumnarSeriesResponse> {
    return this.metrics.series(parseId(id), parseInput(seriesQuerySchema, query));
  }

  @ApiDoc({ summary: 'Last, min, max per key', response: metricSummaryResponseSchema })
  @Get('runs/:id/metrics/summary')
  @Scopes('admin', 'member')
  @Resources({ kind: 'run', param: 'id' })
  summary(@Param('id') id: string): Promise<MetricSummaryResponse> {
    return this.metrics.summary(parseId(id));
  }

  @ApiDoc({ summary: 'Many runs × keys in one call, downsampled (format=columnar: parallel arrays, delta-coded steps and times)', query: compareQuerySchema, response: anySeriesResponseSchema })
  @Get('metrics/compare')
  @Scopes('admin', 'member')
  @Resources({ kind: 'runs', query: 'runIds' })
  compare(@Query() query: unknown): Promise<SeriesResponse | ColumnarSeriesResponse> {
    return this.metrics.compare(parseInput(compareQuerySchema, query));
  }

  @ApiDoc({ summary: 'Long-format export run,key,step,value,time (CSV with header, or JSON lines); format=tfevents: a TensorBoard event file', query: exportQuerySchema, response: METRIC_EXPORT_FILE })
  @Get('runs/:id/metrics/export')
  @Scopes('admin', 'member')
  @Resources({ kind: 'run', param: 'id' })
  async exportRun(@Param('id') id: string, @Query() query: unknown, @Res() res: Response): Promise<void> {
    const runId = parseId(id);
    const q = parseInput(exportQuerySchema, query);
    if (q.format === 'tfevents') return sendDownload(res, await this.interop.exportTfevents(runId, q.keys));
    await streamExport(res, await this.metrics.exportRun(runId, q.keys), q.format, `run-${runId}`);
  }

  @ApiDoc({ summary: 'Long-format export of every run of a sweep', query: exportQuerySchema, response: METRIC_EXPORT_FILE })
  @Get('sweeps/:id/metrics/export')
  @Scopes('admin', 'member')
  @Resources({ kind: 'sweep', param: 'id' })
  async exportSweep(@Param('id') id: string, @Query() query: unknown, @Res() res: Response): Promise<void> {
    const sweepId = parseId(id);
    const q = parseInput(exportQuerySchema, query);
    if (q.format === 'tfevents') throw AppError.field('format', 'tfevents exports one run: GET /api/runs/:id/metrics/export?format=tfevents');
    await streamExport(res, await this.metrics.exportSweep(sweepId, q.keys), q.format, `sweep-${sweepId}`);
  }
}
