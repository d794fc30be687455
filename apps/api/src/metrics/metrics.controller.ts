import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import {
  compareQuerySchema,
  exportQuerySchema,
  MAX_METRIC_BATCH,
  metricBatchSchema,
  seriesQuerySchema,
  type MetricSummaryResponse,
  type SeriesResponse,
} from '@equilab/contracts';
import type { Response } from 'express';
import { assertRunAccess } from '../auth/auth.guard';
import { CurrentPrincipal, Scopes, type Principal } from '../auth/principal';
import { AppError, parseInput } from '../common/app-error';
import { parseId } from '../common/params';
import { PrismaService } from '../database/prisma.service';
import { MetricsRepository } from './metrics.repository';
import { MetricsService } from './metrics.service';
import { csvLine } from './metrics-export';
import { sendDownload } from '../interop/download';
import { InteropService } from '../interop/interop.service';

@Controller()
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly repo: MetricsRepository,
    private readonly prisma: PrismaService,
    private readonly interop: InteropService,
  ) {}

  @Post('runs/:id/metrics')
  @Scopes('admin', 'run')
  write(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<{ accepted: number }> {
    const runId = parseId(id);
    assertRunAccess(principal, runId);
    const points = (body as { points?: unknown } | null)?.points;
    if (Array.isArray(points) && points.length > MAX_METRIC_BATCH) {
      throw new AppError('payload_too_large', `a metric batch holds at most ${MAX_METRIC_BATCH} points, got ${points.length}`);
    }
    return this.metrics.write(runId, parseInput(metricBatchSchema, body).points);
  }

  @Get('runs/:id/metrics')
  series(@Param('id') id: string, @Query() query: unknown): Promise<SeriesResponse> {
    return this.metrics.series(parseId(id), parseInput(seriesQuerySchema, query));
  }

  @Get('runs/:id/metrics/summary')
  summary(@Param('id') id: string): Promise<MetricSummaryResponse> {
    return this.metrics.summary(parseId(id));
  }

  @Get('metrics/compare')
  compare(@Query() query: unknown): Promise<SeriesResponse> {
    return this.metrics.compare(parseInput(compareQuerySchema, query));
  }

  @Get('runs/:id/metrics/export')
  async exportRun(@Param('id') id: string, @Query() query: unknown, @Res() res: Response): Promise<void> {
    const runId = parseId(id);
    const q = parseInput(exportQuerySchema, query);
    const run = await this.prisma.run.findUnique({ where: { id: runId }, select: { id: true } });
    if (!run) throw AppError.notFound('run', runId);
    if (q.format === 'tfevents') return sendDownload(res, await this.interop.exportTfevents(runId, q.keys));
    await this.stream(res, [runId], q.keys, q.format, `run-${runId}`);
  }

  @Get('sweeps/:id/metrics/export')
  async exportSweep(@Param('id') id: string, @Query() query: unknown, @Res() res: Response): Promise<void> {
    const sweepId = parseId(id);
    const q = parseInput(exportQuerySchema, query);
    if (q.format === 'tfevents') throw AppError.field('format', 'tfevents exports one run: GET /api/runs/:id/metrics/export?format=tfevents');
    const sweep = await this.prisma.sweep.findUnique({ where: { id: sweepId }, include: { runs: { select: { id: true } } } });
    if (!sweep) throw AppError.notFound('sweep', sweepId);
    await this.stream(res, sweep.runs.map((r) => r.id), q.keys, q.format, `sweep-${sweepId}`);
  }

  private async stream(res: Response, runIds: string[], keys: string[] | undefined, format: 'csv' | 'jsonl', name: string): Promise<void> {
    res.status(200);
    res.setHeader('Content-Type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${name}.${format === 'csv' ? 'csv' : 'jsonl'}"`);
    if (format === 'csv') res.write('run,key,step,value,time\n');
    for await (const rows of this.repo.exportRows(runIds, keys)) {
      let chunk = '';
      for (const r of rows) {
        const time = r.time.toISOString();
        chunk +=
          format === 'csv'
            ? csvLine([r.runId, r.key, String(r.step), String(r.value), time])
            : `${JSON.stringify({ run: r.runId, key: r.key, step: r.step, value: r.value, time })}\n`;
      }
      if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  }
}
