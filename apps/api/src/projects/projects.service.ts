import { Injectable } from '@nestjs/common';
import type { DeletionResult, Project } from '@equilab/contracts';
import { z } from 'zod';
import { createProjectSchema } from '@equilab/contracts';
import { ArtifactsService } from '../artifacts/artifacts.service';
import { TokensService } from '../auth/tokens.service';
import { AppError } from '../common/app-error';
import { PrismaService } from '../database/prisma.service';
import { DispatchService } from '../queue/dispatch.service';

/** Run states whose job may still be waiting or training: stopped when their project is deleted. */
const ACTIVE_STATES = ['queued', 'running', 'preempted'] as const;

@Injectable()
export class ProjectsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly dispatch: DispatchService,
    private readonly artifacts: ArtifactsService,
    private readonly tokens: TokensService,
  ) {}

  async create(input: z.output<typeof createProjectSchema>): Promise<Project> {
    const row = await this.prisma.project.create({ data: { name: input.name, description: input.description } });
    return { id: row.id, name: row.name, description: row.description, createdAt: row.createdAt.toISOString(), runCounts: {} };
  }

  /** `projectIds`: a member token's granted projects (null: every project). */
  async list(projectIds: string[] | null = null): Promise<Project[]> {
    const where = projectIds ? { id: { in: projectIds } } : {};
    const rows = await this.prisma.project.findMany({ where, orderBy: { createdAt: 'desc' }, take: 1000 });
    const counts = await this.prisma.run.groupBy({ by: ['projectId', 'status'], where: projectIds ? { projectId: { in: projectIds } } : {}, _count: { _all: true } });
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      description: row.description,
      createdAt: row.createdAt.toISOString(),
      runCounts: Object.fromEntries(counts.filter((c) => c.projectId === row.id).map((c) => [c.status, c._count._all])),
    }));
  }

  async get(id: string): Promise<Project> {
    const row = await this.prisma.project.findUnique({ where: { id } });
    if (!row) throw AppError.notFound('project', id);
    const counts = await this.prisma.run.groupBy({ by: ['status'], where: { projectId: id }, _count: { _all: true } });
    return {
      id: row.id,
      name: row.name,
      description: row.description,
      createdAt: row.createdAt.toISOString(),
      runCounts: Object.fromEntries(counts.map((c) => [c.status, c._count._all])),
    };
  }

  /**
   * Deletes the project and, by the schema's cascades, its runs (metrics, artifact records, evaluations and
   * their results, run tokens), sweeps, saved views and member grants, in one statement. Waiting jobs of its
   * active runs are removed and running ones are told to stop (their run tokens died with the runs). Then,
   * the rows being gone for good, each run's folder in the artifact store is removed; a file that cannot be
   * removed is logged and listed in the answer (the delete itself stands).
   */
  async delete(id: string): Promise<DeletionResult> {
    const project = await this.prisma.project.findUnique({ where: { id }, select: { id: true } });
    if (!project) throw AppError.notFound('project', id);
    const runs = await this.prisma.$transaction(async (tx) => {
      const rows = await tx.run.findMany({ where: { projectId: id }, select: { id: true, status: true, attempt: true } });
      await tx.project.delete({ where: { id } });
      return rows;
    });
    // Member tokens lost their grants of it: no replica may keep them cached.
    await this.tokens.invalidate();
    for (const run of runs.filter((r) => (ACTIVE_STATES as readonly string[]).includes(r.status))) {
      await this.dispatch.removeWaitingJob(run.id, run.attempt);
      await this.dispatch.publishCancel(run.id);
    }
    return { deletedRuns: runs.length, artifactFiles: await this.artifacts.removeRunFolders(runs.map((r) => r.id)) };
  }
}
