import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  artifactListSchema,
  deletionResultSchema,
  type DeletionResult,
  createRunSchema,
  finishRunResultSchema,
  finishRunSchema,
  listRunsQuerySchema,
  okSchema,
  runArtifactResultSchema,
  runArtifactSchema,
  runDetailSchema,
  runListSchema,
  runProgressSchema,
  runSchema,
  startRunResultSchema,
  startRunSchema,
  type ArtifactRecord,
  type FinishRunResult,
  type Run,
  type RunDetail,
  type RunList,
  type StartRunResult,
} from '@equilab/contracts';
import { accessibleRunId, lifecycleRunId } from '../auth/auth.guard';
import { CurrentPrincipal, projectFilter, Resources, Scopes, type Principal } from '../auth/principal';
import { AppError, parseInput } from '../common/app-error';
import { parseId } from '../common/params';
import { RunLifecycleService } from './run-lifecycle.service';
import { RunsService } from './runs.service';
import { ApiDoc } from '../openapi/api-doc.decorator';

@Controller('runs')
export class RunsController {
  constructor(
    private readonly runs: RunsService,
    private readonly lifecycle: RunLifecycleService,
  ) {}

  @ApiDoc({ summary: 'Create and enqueue a run (config validated against the method schema)', body: createRunSchema, response: runSchema, errors: [404] })
  @Post()
  @Scopes('admin', 'member')
  @Resources({ kind: 'project', body: 'projectId' })
  create(@Body() body: unknown): Promise<Run> {
    return this.runs.create(parseInput(createRunSchema, body));
  }

  @ApiDoc({ summary: 'List runs (filters, sort, cursor pagination)', query: listRunsQuerySchema, response: runListSchema })
  @Get()
  @Scopes('admin', 'member')
  @Resources({ kind: 'project', query: 'projectId' }, { kind: 'sweep', query: 'sweepId' })
  list(@Query() query: unknown, @CurrentPrincipal() principal: Principal): Promise<RunList> {
    return this.runs.list(parseInput(listRunsQuerySchema, query), projectFilter(principal));
  }

  @ApiDoc({ summary: 'Get a run with the latest value of every metric', response: runDetailSchema })
  @Get(':id')
  @Scopes('admin', 'member')
  @Resources({ kind: 'run', param: 'id' })
  get(@Param('id') id: string): Promise<RunDetail> {
    return this.runs.get(parseId(id));
  }

  @ApiDoc({ summary: 'Cancel a queued or running run (409 otherwise)', response: runSchema })
  @Post(':id/cancel')
  @HttpCode(200)
  @Scopes('admin', 'member')
  @Resources({ kind: 'run', param: 'id' })
  cancel(@Param('id') id: string): Promise<Run> {
    return this.runs.cancel(parseId(id));
  }

  @ApiDoc({ summary: 'Retry a failed or canceled run as a new attempt', response: runSchema })
  @Post(':id/retry')
  @HttpCode(200)
  @Scopes('admin', 'member')
  @Resources({ kind: 'run', param: 'id' })
  retry(@Param('id') id: string): Promise<Run> {
    return this.runs.retry(parseId(id));
  }

  @ApiDoc({ summary: 'Delete a run with its metrics and artifacts (records and its folder in the artifact store; files that could not be removed are listed)', response: deletionResultSchema, errors: [404] })
  @Delete(':id')
  @HttpCode(200)
  @Scopes('admin', 'member')
  @Resources({ kind: 'run', param: 'id' })
  remove(@Param('id') id: string): Promise<DeletionResult> {
    return this.runs.delete(parseId(id));
  }

  @ApiDoc({ summary: 'List artifacts of a run (also its own run token: a resumed attempt restores the latest recorded checkpoint)', response: artifactListSchema, errors: [404] })
  @Get(':id/artifacts')
  @Scopes('admin', 'member', 'run')
  @Resources({ kind: 'run', param: 'id' })
  async artifacts(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<{ items: ArtifactRecord[] }> {
    return { items: await this.runs.artifacts(accessibleRunId(principal, id)) };
  }

  // ---- runner protocol (run tokens only; user tokens are refused) ----

  @ApiDoc({ summary: 'A runner starts an attempt (409 if canceled/finished)', tag: 'runner protocol', body: startRunSchema, response: startRunResultSchema })
  @Post(':id/start')
  @HttpCode(200)
  @Scopes('run')
  start(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<StartRunResult> {
    const runId = lifecycleRunId(principal, id);
    const input = parseInput(startRunSchema, body);
    if (principal.runnerId !== input.runnerId) throw AppError.field('runnerId', 'this run token was issued to another runner');
    return this.lifecycle.start(runId, input);
  }

  @ApiDoc({ summary: 'Training progress (also the run heartbeat)', tag: 'runner protocol', body: runProgressSchema, response: okSchema })
  @Post(':id/progress')
  @HttpCode(200)
  @Scopes('run')
  async progress(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<{ ok: true }> {
    const runId = lifecycleRunId(principal, id);
    await this.lifecycle.progress(runId, parseInput(runProgressSchema, body));
    return { ok: true };
  }

  @ApiDoc({ summary: 'Record an artifact', tag: 'runner protocol', body: runArtifactSchema, response: runArtifactResultSchema })
  @Post(':id/artifacts')
  @Scopes('admin', 'member', 'run')
  @Resources({ kind: 'run', param: 'id' })
  artifact(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<{ id: string }> {
    return this.lifecycle.artifact(accessibleRunId(principal, id), parseInput(runArtifactSchema, body));
  }

  @ApiDoc({ summary: 'Finish an attempt (preempted → re-queued by the API)', tag: 'runner protocol', body: finishRunSchema, response: finishRunResultSchema })
  @Post(':id/finish')
  @HttpCode(200)
  @Scopes('run')
  finish(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<FinishRunResult> {
    return this.lifecycle.finish(lifecycleRunId(principal, id), parseInput(finishRunSchema, body));
  }
}
