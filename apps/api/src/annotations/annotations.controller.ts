import { Body, Controller, Delete, Get, Header, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import {
  annotateSchema,
  createRunViewSchema,
  runSchema,
  runsExportQuerySchema,
  runViewListSchema,
  runViewSchema,
  sweepDetailSchema,
  updateRunViewSchema,
  type Run,
  type RunView,
  type RunViewList,
  type SweepDetail,
} from '@equilab/contracts';
import { z } from 'zod';
import { Resources, Scopes } from '../auth/principal';
import { parseInput } from '../common/app-error';
import { parseId } from '../common/params';
import { ApiDoc, ApiTag } from '../openapi/api-doc.decorator';
import { AnnotationsService } from './annotations.service';

interface CsvResponse {
  setHeader(name: string, value: string): void;
}

const RUNS_CSV = { produces: ['text/csv'] };
const viewIdSchema = z.object({ viewId: z.string().uuid() });
const parseViewId = (viewId: unknown): string => parseInput(viewIdSchema, { viewId }).viewId;

/** `GET /api/runs/export`: registered before RunsController, so `export` is not taken for a run id. */
@Controller('runs')
@ApiTag('runs')
export class RunsExportController {
  constructor(private readonly annotations: AnnotationsService) {}

  @ApiDoc({ summary: 'The Runs table as CSV: fields, tags, notes, every config value and every metric’s last value (filters and search as the table)', query: runsExportQuerySchema, response: RUNS_CSV })
  @Get('export')
  @Header('Cache-Control', 'no-store')
  @Scopes('admin', 'member')
  @Resources({ kind: 'project', query: 'projectId' }, { kind: 'sweep', query: 'sweepId' })
  async export(@Query() query: unknown, @Res({ passthrough: true }) res: CsvResponse): Promise<string> {
    const q = parseInput(runsExportQuerySchema, query);
    const csv = await this.annotations.exportRuns(q);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="runs-${q.projectId.slice(0, 8)}.csv"`);
    return csv;
  }
}

/** Names, tags and notes of runs and sweeps; saved views of a project's Runs table (admin, or a member in its granted projects). */
@Controller()
@Scopes('admin', 'member')
export class AnnotationsController {
  constructor(private readonly annotations: AnnotationsService) {}

  @ApiDoc({ summary: 'Rename a run, replace its tags or notes', body: annotateSchema, response: runSchema, errors: [404] })
  @Patch('runs/:id')
  @Resources({ kind: 'run', param: 'id' })
  annotateRun(@Param('id') id: string, @Body() body: unknown): Promise<Run> {
    return this.annotations.annotateRun(parseId(id), parseInput(annotateSchema, body));
  }

  @ApiDoc({ summary: 'Rename a sweep, replace its tags or notes', body: annotateSchema, response: sweepDetailSchema, errors: [404] })
  @Patch('sweeps/:id')
  @Resources({ kind: 'sweep', param: 'id' })
  annotateSweep(@Param('id') id: string, @Body() body: unknown): Promise<SweepDetail> {
    return this.annotations.annotateSweep(parseId(id), parseInput(annotateSchema, body));
  }

  @ApiDoc({ summary: 'Saved views of a project’s Runs table (by name)', response: runViewListSchema, errors: [404] })
  @Get('projects/:id/run-views')
  @Resources({ kind: 'project', param: 'id' })
  async listViews(@Param('id') id: string): Promise<RunViewList> {
    return { items: await this.annotations.listViews(parseId(id)) };
  }

  @ApiDoc({ summary: 'Save a view of the Runs table (its URL query string) under a name unique in the project', body: createRunViewSchema, response: runViewSchema, errors: [404] })
  @Post('projects/:id/run-views')
  @Resources({ kind: 'project', param: 'id' })
  createView(@Param('id') id: string, @Body() body: unknown): Promise<RunView> {
    return this.annotations.createView(parseId(id), parseInput(createRunViewSchema, body));
  }

  @ApiDoc({ summary: 'Rename a saved view or replace its query', body: updateRunViewSchema, response: runViewSchema, errors: [404] })
  @Put('projects/:id/run-views/:viewId')
  @Resources({ kind: 'project', param: 'id' })
  updateView(@Param('id') id: string, @Param('viewId') viewId: string, @Body() body: unknown): Promise<RunView> {
    return this.annotations.updateView(parseId(id), parseViewId(viewId), parseInput(updateRunViewSchema, body));
  }

  @ApiDoc({ summary: 'Delete a saved view', errors: [404] })
  @Delete('projects/:id/run-views/:viewId')
  @Resources({ kind: 'project', param: 'id' })
  @HttpCode(204)
  async deleteView(@Param('id') id: string, @Param('viewId') viewId: string): Promise<void> {
    await this.annotations.deleteView(parseId(id), parseViewId(viewId));
  }
}
