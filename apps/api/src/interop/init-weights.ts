import * as path from 'node:path';
import { initWeightsSchema, type InitWeights, type InitWeightsRequest } from '@equilab/contracts';
import { AppError } from '../common/app-error';
import type { PrismaService } from '../database/prisma.service';

/**
 * A run's `initWeights` request resolved to one stored artifact: `{ runId }` → that run's latest final weights,
 * `{ artifactId }` → a `final-weights` or `checkpoint` artifact. The source must be in the run's project (a
 * member token sees no other project's runs). The file is read and checked against the run: the method it records
 * (Equilab files) and its width multiplier (the stem's channels / 64) must be the run's, so the common mistakes are
 * a 400 here; every tensor's shape is checked again by the training child before step 0. 400 on `initWeights`.
 */
export async function resolveInitWeights(
  prisma: PrismaService,
  artifactDir: string,
  projectId: string,
  request: InitWeightsRequest,
  run: { readonly method: string; readonly width: number },
): Promise<InitWeights> {
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
  const root = path.resolve(artifactDir);
  const file = path.resolve(root, artifact.path);
  if (!file.startsWith(`${root}${path.sep}`)) throw AppError.field('initWeights', `${what}: its path lies outside the artifact store`);
  // libs/interop's weights code loads TensorFlow.js (through libs/sie): only when a run names initial weights.
  const interop = await import('@equilab/interop');
  let weights;
  try {
    weights = interop.readInitialWeights(file);
  } catch (error) {
    throw AppError.field('initWeights', `${what} (${artifact.path}) cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (weights.method !== null && weights.method !== run.method) {
    throw AppError.field('initWeights', `${what} holds weights of a ${weights.method} run; this run trains ${run.method}`);
  }
  const width = interop.initialWeightsWidth(weights);
  if (width !== run.width) throw AppError.field('initWeights', `${what} holds a backbone of width ${width ?? '?'}; this run's config.width is ${run.width}`);
  return initWeightsSchema.parse({ artifactId: artifact.id, runId: artifact.runId, kind: artifact.kind });
}

/** The stored `initWeights` of a run row (null: the seeded init). */
export function initWeightsOf(value: unknown): InitWeights | null {
  if (value === null || value === undefined) return null;
  return initWeightsSchema.parse(value);
}
