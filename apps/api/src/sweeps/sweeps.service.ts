import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { expandSweep, SweepError } from '@equilab/sweeps';
import {
  ashaOptionsSchema,
  createSweepSchema,
  searchSpaceSchema,
  type MethodRun,
  type Run,
  type Sweep,
  type SweepDetail,
  type SweepDryRun,
} from '@equilab/contracts';
import type { z } from 'zod';
import { AppError } from '../common/app-error';
import { API_ENV, type ApiEnv } from '../config/api-env';
import type { Prisma, Sweep as SweepRow } from '../generated/prisma/client';
import { LiveService } from '../live/live.service';
import { PrismaService } from '../database/prisma.service';
import { DispatchService } from '../queue/dispatch.service';
import { parseRunConfig } from '../runs/run-config';
import { toRun } from '../runs/run.mapper';
import { sweepProgress } from './sweep-progress';

type CreateSweepInput = z.output<typeof createSweepSchema>;

/** `<sweep>-<configuration>` (zero-padded), with `.<replicate>` when the sweep has replicates. */
function runName(sweep: string, run: { configIndex: number; replicate: number }, configurations: number, replicates: number): string {
  const config = String(run.configIndex).padStart(String(configurations - 1).length, '0');
  return replicates > 1 ? `${sweep}-${config}.${run.replicate}` : `${sweep}-${config}`;
}

@Injectable()
export class SweepsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly dispatch: DispatchService,
    private readonly live: LiveService,
    @Inject(API_ENV) private readonly env: ApiEnv,
  ) {}

  /** The sweep's runs, each config parsed once by its method's schema; a 400 names the request field at fault. */
  expand(input: CreateSweepInput): (MethodRun & { index: number; configIndex: number; replicate: number; bracket?: number; params: Record<string, unknown>; seed: number })[] {
    try {
      return expandSweep(input, parseRunConfig).map(({ index, configIndex, replicate, bracket, params, seed, run }) => ({
        index,
        configIndex,
        replicate,
        ...(bracket !== undefined ? { bracket } : {}),
        params,
        seed,
        ...run,
      }));
    } catch (error) {
      if (error instanceof SweepError) throw AppError.validation(error.issues);
      throw error;
    }
  }

  async create(input: CreateSweepInput): Promise<SweepDetail | SweepDryRun> {
    const runs = this.expand(input);
    if (input.dryRun) return { dryRun: true, runs };
    const project = await this.prisma.project.findUnique({ where: { id: input.projectId }, select: { id: true } });
    if (!project) throw AppError.notFound('project', input.projectId);
    const sweepId = randomUUID();
    const dataRoot = input.dataRoot ?? this.env.DATA_ROOT;
    await this.prisma.$transaction([
      this.prisma.sweep.create({
        data: {
          id: sweepId,
          projectId: input.projectId,
          name: input.name,
          method: input.method,
          baseConfig: input.baseConfig as Prisma.InputJsonValue,
          searchSpace: input.searchSpace as Prisma.InputJsonValue,
          strategy: input.strategy,
          seed: input.seed,
          count: runs.length,
          replicates: input.replicates,
          ...(input.asha ? { asha: input.asha } : {}),
          maxConcurrency: input.maxConcurrency,
          priority: input.priority,
        },
      }),
      this.prisma.run.createMany({
        data: runs.map((r) => ({
          projectId: input.projectId,
          sweepId,
          sweepIndex: r.index,
          sweepConfig: r.configIndex,
          replicate: r.replicate,
          ...(r.bracket !== undefined ? { bracket: r.bracket, rung: 0 } : {}),
          sweepParams: r.params as Prisma.InputJsonValue,
          name: runName(input.name, r, runs.length / input.replicates, input.replicates),
          method: r.method,
          config: r.config,
          seed: r.seed,
          requestedBackend: input.backend,
          dataRoot,
          ...(input.evaluations ? { evaluations: input.evaluations as Prisma.InputJsonValue } : {}),
          logEverySteps: input.logEvery.steps,
          logEverySeconds: input.logEvery.seconds,
        })),
      }),
    ]);
    await this.dispatch.fillSweep(sweepId);
    const detail = await this.get(sweepId);
    for (const run of detail.runs) this.live.run(run);
    return detail;
  }

  private async counts(sweepIds: string[]): Promise<Map<string, Record<string, number>>> {
    const rows = await this.prisma.run.groupBy({ by: ['sweepId', 'status'], where: { sweepId: { in: sweepIds } }, _count: { _all: true } });
    const out = new Map<string, Record<string, number>>();
    for (const row of rows) {
      if (!row.sweepId) continue;
      const c = out.get(row.sweepId) ?? {};
      c[row.status] = row._count._all;
      out.set(row.sweepId, c);
    }
    return out;
  }

  private toSweep(row: SweepRow, runCounts: Record<string, number>): Sweep {
    return {
      id: row.id,
      projectId: row.projectId,
      name: row.name,
      method: row.method,
      baseConfig: row.baseConfig as Record<string, unknown>,
      searchSpace: searchSpaceSchema.parse(row.searchSpace),
      strategy: row.strategy,
      seed: row.seed,
      count: row.count,
      replicates: row.replicates,
      asha: row.asha === null ? null : ashaOptionsSchema.parse(row.asha),
      maxConcurrency: row.maxConcurrency,
      priority: row.priority,
      status: row.status,
      tags: row.tags,
      notes: row.notes,
      createdAt: row.createdAt.toISOString(),
      runCounts,
    };
  }

  async list(projectId: string | undefined, tags?: readonly string[]): Promise<Sweep[]> {
    const where: Prisma.SweepWhereInput = { ...(projectId ? { projectId } : {}), ...(tags?.length ? { tags: { hasEvery: [...tags] } } : {}) };
    const rows = await this.prisma.sweep.findMany({ where, orderBy: { createdAt: 'desc' }, take: 1000 });
    const counts = await this.counts(rows.map((r) => r.id));
    return rows.map((r) => this.toSweep(r, counts.get(r.id) ?? {}));
  }

  async get(id: string): Promise<SweepDetail> {
    const row = await this.prisma.sweep.findUnique({ where: { id }, include: { runs: { orderBy: { sweepIndex: 'asc' } } } });
    if (!row) throw AppError.notFound('sweep', id);
    const runs: Run[] = row.runs.map(toRun);
    const counts: Record<string, number> = {};
    for (const r of runs) counts[r.status] = (counts[r.status] ?? 0) + 1;
    const results = await this.prisma.rungResult.findMany({ where: { sweepId: id }, orderBy: [{ rung: 'asc' }, { createdAt: 'asc' }] });
    return { ...this.toSweep(row, counts), runs, ...sweepProgress(row.runs, results) };
  }

  /** Cancels the sweep and every queued, running, preempted or paused run of it. */
  async cancel(id: string): Promise<SweepDetail> {
    const row = await this.prisma.sweep.findUnique({ where: { id } });
    if (!row) throw AppError.notFound('sweep', id);
    if (row.status !== 'running') throw new AppError('illegal_transition', `sweep ${id} is ${row.status}; only a running sweep can be canceled`);
    await this.prisma.sweep.update({ where: { id }, data: { status: 'canceled' } });
    const active = await this.prisma.run.findMany({ where: { sweepId: id, status: { in: ['queued', 'running', 'preempted', 'paused'] } } });
    const now = new Date();
    for (const run of active) {
      const updated = await this.prisma.run.updateMany({
        where: { id: run.id, status: run.status },
        data: { status: 'canceled', finishedAt: now },
      });
      if (updated.count === 0) continue;
      if (run.enqueuedAt) await this.dispatch.removeWaitingJob(run.id, run.attempt);
      if (run.status === 'running') await this.dispatch.publishCancel(run.id);
    }
    const detail = await this.get(id);
    for (const run of detail.runs) if (active.some((a) => a.id === run.id)) this.live.run(run);
    return detail;
  }
}
