import { initWeightsSchema, type InitWeights, type InitWeightsRequest } from '@equilab/contracts';
import { AppError } from '../common/app-error';
import type { PrismaService } from '../database/prisma.service';

/**
 * A run's `initWeights` request resolved to one stored artifact: `{ runId }` → that run's latest final weights,
 * `{ artifactId }` → a `final-weights` or `checkpoint` artifact. The source must be in the run's project (a
 * member token sees no other project's runs). 400 on `initWeights` naming what is missing.
 */
export async function resolveInitWeights(prisma: PrismaService, projectId: string, request: InitWeightsRequest): Promise<InitWeights> {
  const artifact =
    'runId' in request
      ? await prisma.artifact.findFirst({ where: { runId: request.runId, kind: 'final-weights' }, orderBy: { createdAt: 'desc' }, include: { run: { select: { projectId: true } } } })
      : await prisma.artifact.findUnique({ where: { id: request.artifactId }, include: { run: { select: { projectId: true } } } });
  const what = 'runId' in request ? `run ${request.runId}` : `artifact ${request.artifactId}`;
  if (!artifact || artifact.run.projectId !== projectId) {
    throw AppError.field('initWeights', 'runId' in request ? `${what} has no final weights in this project` : `${what} not found in this project`);
  }
  if (artifact.kind !== 'final-weights' && artifact.kind !== 'checkpoint') {
    throw AppError.field('initWeights.artifactId', `${what} is a ${artifact.kind} artifact; give final weights or a checkpoint`);
  }
  return initWeightsSchema.parse({ artifactId: artifact.id, runId: artifact.runId, kind: artifact.kind });
}

/** The stored `initWeights` of a run row (null: the seeded init). */
export function initWeightsOf(value: unknown): InitWeights | null {
  if (value === null || value === undefined) return null;
  return initWeightsSchema.parse(value);
}
