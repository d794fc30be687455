import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  createRunSchema,
  finishRunSchema,
  listRunsQuerySchema,
  runArtifactSchema,
  runProgressSchema,
  startRunSchema,
  type ArtifactRecord,
  type FinishRunResult,
  type Run,
  type RunDetail,
  type RunList,
  type StartRunResult,
} from '@equilab/contracts';
import { assertRunAccess } from '../auth/auth.guard';
import { CurrentPrincipal, Scopes, type Principal } from '../auth/principal';
import { parseInput } from '../common/app-error';
import { parseId } from '../common/params';
import { PrismaService } from '../database/prisma.service';
import { RunLifecycleService } from './run-lifecycle.service';
import { RunsService } from './runs.service';

@Controller('runs')
export class RunsController {
  constructor(
    private readonly runs: RunsService,
    private readonly lifecycle: RunLifecycleService,
    private readonly prisma: PrismaService,
  ) {}

  @Post()
  create(@Body() body: unknown): Promise<Run> {
    return this.runs.create(parseInput(createRunSchema, body));
  }

  @Get()
  list(@Query() query: unknown): Promise<RunList> {
    return this.runs.list(parseInput(listRunsQuerySchema, query));
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<RunDetail> {
    return this.runs.get(parseId(id));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  cancel(@Param('id') id: string): Promise<Run> {
    return this.runs.cancel(parseId(id));
  }

  @Post(':id/retry')
  @HttpCode(200)
  retry(@Param('id') id: string): Promise<Run> {
    return this.runs.retry(parseId(id));
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id') id: string): Promise<void> {
    await this.runs.delete(parseId(id));
  }

  @Get(':id/artifacts')
  async artifacts(@Param('id') id: string): Promise<{ items: ArtifactRecord[] }> {
    const runId = parseId(id);
    const rows = await this.prisma.artifact.findMany({ where: { runId }, orderBy: { createdAt: 'asc' } });
    return {
      items: rows.map((a) => ({ id: a.id, runId: a.runId, kind: a.kind, path: a.path, size: Number(a.size), sha256: a.sha256, step: a.step, createdAt: a.createdAt.toISOString() })),
    };
  }

  // ---- runner protocol (run tokens) ----

  @Post(':id/start')
  @HttpCode(200)
  @Scopes('admin', 'run')
  start(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<StartRunResult> {
    const runId = parseId(id);
    assertRunAccess(principal, runId);
    return this.lifecycle.start(runId, parseInput(startRunSchema, body));
  }

  @Post(':id/progress')
  @HttpCode(200)
  @Scopes('admin', 'run')
  async progress(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<{ ok: true }> {
    const runId = parseId(id);
    assertRunAccess(principal, runId);
    await this.lifecycle.progress(runId, parseInput(runProgressSchema, body));
    return { ok: true };
  }

  @Post(':id/artifacts')
  @Scopes('admin', 'run')
  artifact(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<{ id: string }> {
    const runId = parseId(id);
    assertRunAccess(principal, runId);
    return this.lifecycle.artifact(runId, parseInput(runArtifactSchema, body));
  }

  @Post(':id/finish')
  @HttpCode(200)
  @Scopes('admin', 'run')
  finish(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<FinishRunResult> {
    const runId = parseId(id);
    assertRunAccess(principal, runId);
    return this.lifecycle.finish(runId, parseInput(finishRunSchema, body));
  }
}
