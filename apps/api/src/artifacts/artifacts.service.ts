import * as path from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { API_ENV, type ApiEnv } from '../config/api-env';
import { PrismaService } from '../database/prisma.service';

/** Where a recorded artifact's bytes are, and what to call them in a download. */
export interface ArtifactFile {
  readonly id: string;
  readonly runId: string;
  /** Path relative to ARTIFACT_DIR (the recorded one: `runs/<runId>/checkpoint.safetensors`). */
  readonly relativePath: string;
  readonly root: string;
  readonly fileName: string;
  readonly sha256: string;
  readonly size: number;
}

@Injectable()
export class ArtifactsService {
  constructor(
    private readonly prisma: PrismaService,
    @Inject(API_ENV) private readonly env: ApiEnv,
  ) {}

  /** The stored file of artifact `id` (404 for an unknown id; 500 for a recorded path outside the store). */
  async file(id: string): Promise<ArtifactFile> {
    const artifact = await this.prisma.artifact.findUnique({ where: { id } });
    if (!artifact) throw AppError.notFound('artifact', id);
    const root = path.resolve(this.env.ARTIFACT_DIR);
    const full = path.resolve(root, artifact.path);
    if (!full.startsWith(`${root}${path.sep}`)) throw new AppError('internal', `artifact path ${artifact.path} lies outside the artifact store`);
    return {
      id: artifact.id,
      runId: artifact.runId,
      relativePath: path.relative(root, full),
      root,
      fileName: path.basename(full),
      sha256: artifact.sha256,
      size: Number(artifact.size),
    };
  }
}
