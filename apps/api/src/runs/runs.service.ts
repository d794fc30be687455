import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  createRunSchema,
  listRunsQuerySchema,
  type ArtifactRecord,
  type DeletionResult,
  type Run,
  type RunDetail,
  type RunList,
} from '@equilab/contracts';
import type { z } from 'zod';
import { ArtifactsService } from '../artifacts/artifacts.service';
import { AppError } from '../common/app-error';
import { API_ENV, type ApiEnv } from '../config/api-env';
import type { Prisma } from '../generated/prisma/client';
import { resolveInitWeights } from '../interop/init-weights';
import { LiveService } from '../live/live.service';
import { MetricsRepository } from '../metrics/metrics.repository';
import { PrismaService } from '../database/prisma.service';
import { DispatchService } from '../queue/dispatch.service';
import { parseRunConfig, runConfigError } from './run-config';
import { assertTransition } from './run-state';
import { toRun } from './run.mapper';

const SORT_FIELDS = { createdAt: 'createdAt', name: 'name', status: 'status', finishedAt: 'finishedAt' } as const;

@Injectable()
export class RunsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly dispatch: DispatchService,
    private readonly metrics: MetricsRepository,
    private readonly live: LiveService,
    @Inject(API_ENV) private readonly env: ApiEnv,
    private readonly artifactFiles: ArtifactsService,
  ) {}

  async create(input: z.output<typeof createRunSchema>): Promise<Run> {
    const overrides = input.seed !== undefined ? { ...input.config, seed: input.seed } : input.config;
    const parsed = parseRunConfig(input.method, overrides);
    if (!parsed.success) throw runConfigError(parsed.issues, overrides);
    const { method, config } = parsed.data;
    const project = await this.prisma.project.findUnique({ where: { id: input.projectId }, select: { id: true } });
    if (!project) throw AppError.notFound('project', input.projectId);
    const initWeights = input.initWeights
      ? await resolveInitWeights(this.prisma, this.env.ARTIFACT_DIR, input.projectId, input.initWeights, { method, width: config.width })
      : null;
    const id = randomUUID();
    await this.prisma.run.create({
      data: {
        id,
        projectId: input.projectId,
        name: input.name ?? `${method}-${id.slice(0, 8)}`,
        method,
        config,
        seed: config.seed,
        requestedBackend: input.backend,
        dataRoot: input.dataRoot ?? this.env.DATA_ROOT,
        ...(input.evaluations ? { evaluations: input.evaluations as Prisma.InputJsonValue } : {}),
        logEverySteps: input.logEvery.steps,
        logEverySeconds: input.logEvery.seconds,
        ...(initWeights ? { initWeights } : {}),
      },
    });
    await this.dispatch.enqueueRun(id);
    const run = toRun(await this.prisma.run.findUniqueOrThrow({ where: { id } }));
    this.live.run(run);
    return run;
  }

  /** `projectIds`: a member token's granted projects (null: every project). */
  async list(query: z.output<typeof listRunsQuerySchema>, projectIds: string[] | null = null): Promise<RunList> {
    const where: Prisma.RunWhereInput = {
      ...(query.projectId ? { projectId: query.projectId } : projectIds ? { projectId: { in: projectIds } } : {}),
      ...(query.sweepId ? { sweepId: query.sweepId } : {}),
      ...(query.status?.length ? { status: { in: query.status } } : {}),
      ...(query.method ? { method: query.method } : {}),
      ...(query.tags?.length ? { tags: { hasEvery: query.tags } } : {}),
    };
    const desc = query.sort.startsWith('-');
    const field = SORT_FIELDS[query.sort.replace(/^-/, '') as keyof typeof SORT_FIELDS];
    const dir = desc ? 'desc' : 'asc';
    if (query.cursor !== undefined && !/^[0-9a-f-]{36}$/i.test(query.cursor)) throw AppError.field('cursor', 'invalid cursor');
    const rows = await this.prisma.run.findMany({
      where,
      orderBy: [{ [field]: dir }, { id: dir }],
      take: query.limit + 1,
      ...(query.cursor ? { cursor: { id: query.cursor }, skip: 1 } : {}),
    });
    const more = rows.length > query.limit;
    const items = rows.slice(0, query.limit).map(toRun);
    return { items, nextCursor: more ? (items[items.length - 1]?.id ?? null) : null };
  }

  async get(id: string): Promise<RunDetail> {
    const row = await this.prisma.run.findUnique({ where: { id } });
    if (!row) throw AppError.notFound('run', id);
    return { ...toRun(row), latestMetrics: await this.metrics.latest(id) };
  }

  /** The run's artifacts, oldest first (404 for an unknown run). */
  async artifacts(runId: string): Promise<ArtifactRecord[]> {
    const run = await this.prisma.run.findUnique({ where: { id: runId }, select: { id: true, artifacts: { orderBy: { createdAt: 'asc' } } } });
    if (!run) throw AppError.notFound('run', runId);
    return run.artifacts.map((a) => ({ id: a.id, runId: a.runId, kind: a.kind, path: a.path, size: Number(a.size), sha256: a.sha256, step: a.step, createdAt: a.createdAt.toISOString() }));
  }

  async cancel(id: string): Promise<Run> {
    const row = await this.prisma.run.findUnique({ where: { id } });
    if (!row) throw AppError.notFound('run', id);
    assertTransition(id, row.status, 'canceled');
    const updated = await this.prisma.run.updateMany({
      where: { id, status: row.status },
      data: { status: 'canceled', finishedAt: new Date() },
    });
    if (updated.count === 0) throw new AppError('illegal_transition', `run ${id} changed state concurrently; retry`);
    await this.dispatch.attemptEnded(id);
    await this.dispatch.removeWaitingJob(id, row.attempt);
    await this.dispatch.publishCancel(id);
    if (row.sweepId) await this.dispatch.afterSweepRunSettled(row.sweepId);
    const run = toRun(await this.prisma.run.findUniqueOrThrow({ where: { id } }));
    this.live.run(run);
    return run;
  }

  /** failed | canceled → queued with a new attempt and a fresh job. */
  async retry(id: string): Promise<Run> {
    const row = await this.prisma.run.findUnique({ where: { id }, include: { sweep: true } });
    if (!row) throw AppError.notFound('run', id);
    assertTransition(id, row.status, 'queued');
    const gated = row.sweep?.status === 'running' || row.sweep?.status === 'completed';
    const updated = await this.prisma.run.updateMany({
      where: { id, status: row.status },
      data: {
        status: 'queued',
        attempt: row.attempt + 1,
        error: null,
        startedAt: null,
        finishedAt: null,
        heartbeatAt: null,
        enqueuedAt: null,
        runnerId: null,
        step: null,
        epoch: null,
        imagesPerSecond: null,
        etaSeconds: null,
      },
    });
    if (updated.count === 0) throw new AppError('illegal_transition', `run ${id} changed state concurrently; retry`);
    if (gated && row.sweepId) {
      await this.prisma.sweep.updateMany({ where: { id: row.sweepId, status: 'completed' }, data: { status: 'running' } });
      await this.dispatch.fillSweep(row.sweepId);
    } else {
      await this.dispatch.enqueueRun(id, row.sweep?.priority ?? 0);
    }
    const run = toRun(await this.prisma.run.findUniqueOrThrow({ where: { id } }));
    this.live.run(run);
    return run;
  }

  /** Deletes the run with its metrics, artifacts (records, then its folder in the store) and tokens; an active run is canceled first. */
  async delete(id: string): Promise<DeletionResult> {
    const row = await this.prisma.run.findUnique({ where: { id } });
    if (!row) throw AppError.notFound('run', id);
    if (row.status === 'queued' || row.status === 'running' || row.status === 'preempted') {
      await this.dispatch.removeWaitingJob(id, row.attempt);
      await this.dispatch.publishCancel(id);
    }
    await this.prisma.run.delete({ where: { id } });
    if (row.sweepId) await this.dispatch.afterSweepRunSettled(row.sweepId);
    return { deletedRuns: 1, artifactFiles: await this.artifactFiles.removeRunFolders([id]) };
  }
}
