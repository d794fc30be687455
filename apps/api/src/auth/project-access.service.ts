import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import type { ResourceKind } from './principal';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Maps project-scoped objects to their project, for the member-token checks of the AuthGuard. */
@Injectable()
export class ProjectAccessService {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * The id among `ids` (of `kind`) that is not in one of `granted` projects — unknown ids included — or null
   * when every one is. Malformed ids are skipped: validation answers 400 for them afterwards.
   */
  async firstOutside(kind: ResourceKind, ids: readonly string[], granted: ReadonlySet<string>): Promise<string | null> {
    const wanted = [...new Set(ids.filter((id) => UUID.test(id)))];
    if (wanted.length === 0) return null;
    const projectOf = await this.projects(kind, wanted);
    return wanted.find((id) => !granted.has(projectOf.get(id) ?? '')) ?? null;
  }

  private async projects(kind: ResourceKind, ids: string[]): Promise<Map<string, string>> {
    const where = { id: { in: ids } };
    const select = { id: true, projectId: true } as const;
    switch (kind) {
      case 'project':
        return new Map(ids.map((id) => [id, id]));
      case 'run':
      case 'runs':
        return new Map((await this.prisma.run.findMany({ where, select })).map((r) => [r.id, r.projectId]));
      case 'sweep':
        return new Map((await this.prisma.sweep.findMany({ where, select })).map((s) => [s.id, s.projectId]));
      case 'artifact': {
        const rows = await this.prisma.artifact.findMany({ where, select: { id: true, run: { select: { projectId: true } } } });
        return new Map(rows.map((a) => [a.id, a.run.projectId]));
      }
      case 'evaluation': {
        const rows = await this.prisma.evaluation.findMany({ where, select: { id: true, run: { select: { projectId: true } } } });
        return new Map(rows.map((e) => [e.id, e.run.projectId]));
      }
    }
  }
}
