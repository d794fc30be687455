import { Injectable } from '@nestjs/common';
import type { Project } from '@equilab/contracts';
import { z } from 'zod';
import { createProjectSchema } from '@equilab/contracts';
import { AppError } from '../common/app-error';
import { PrismaService } from '../database/prisma.service';

@Injectable()
export class ProjectsService {
  constructor(private readonly prisma: PrismaService) {}

  async create(input: z.output<typeof createProjectSchema>): Promise<Project> {
    const row = await this.prisma.project.create({ data: { name: input.name, description: input.description } });
    return { id: row.id, name: row.name, description: row.description, createdAt: row.createdAt.toISOString(), runCounts: {} };
  }

  async list(): Promise<Project[]> {
    const rows = await this.prisma.project.findMany({ orderBy: { createdAt: 'desc' }, take: 1000 });
    const counts = await this.prisma.run.groupBy({ by: ['projectId', 'status'], _count: { _all: true } });
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
}
