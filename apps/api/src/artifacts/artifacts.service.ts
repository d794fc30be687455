import { lstat, readdir, realpath, rm, unlink } from 'node:fs/promises';
import * as path from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { runArtifactPrefix, runVersionsPrefix, type ArtifactCleanup } from '@equilab/contracts';
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A version folder of a run's training-state file: `runs/<runId>/v/<step, 12 digits>-<sha256 prefix>/` (the runner's keys). */
const VERSION_FOLDER = /^(\d{12})-[0-9a-f]{16}$/;

const errorCode = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | null)?.code;

@Injectable()
export class ArtifactsService {
  private readonly logger = new Logger('Artifacts');

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

  /**
   * Removes the artifact-store folders `runs/<runId>/` of deleted runs (call it after the database delete has
   * committed: the rows are gone whatever happens here). Path-safe: only a run id (a UUID) names a folder, the
   * store root and its `runs` folder are resolved to their real paths, and the `runs` folder must be a real
   * directory inside the root (a symlink there is not followed). A run folder that is a symlink is unlinked, not
   * followed, and `rm` unlinks symlinks inside a folder without following them. Recorded paths outside the
   * run's folder (the runner protocol allows any relative path) are not touched: another run may record the
   * same path. Every failure is logged and listed in the answer.
   */
  async removeRunFolders(runIds: readonly string[]): Promise<ArtifactCleanup> {
    const cleanup: { removedFolders: number; failed: { path: string; error: string }[] } = { removedFolders: 0, failed: [] };
    const fail = (where: string, error: unknown): void => {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.warn(`artifact files of a deleted run not removed: ${where}: ${message}`);
      cleanup.failed.push({ path: where, error: message });
    };
    if (runIds.length === 0) return cleanup;
    let runsDir: string;
    try {
      const root = await realpath(path.resolve(this.env.ARTIFACT_DIR));
      runsDir = path.join(root, 'runs');
      const stats = await lstat(runsDir);
      if (!stats.isDirectory()) throw new Error(`${runsDir} is not a directory (a symlink is not followed)`);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return cleanup; // no store yet, or no run ever stored a file
      fail('runs/', error);
      return cleanup;
    }
    for (const runId of runIds) {
      const relative = runArtifactPrefix(runId);
      if (!UUID.test(runId)) {
        fail(relative, new Error('not a run id'));
        continue;
      }
      const folder = path.join(runsDir, runId);
      try {
        const stats = await lstat(folder);
        if (stats.isSymbolicLink() || !stats.isDirectory()) await unlink(folder);
        else await rm(folder, { recursive: true, force: true, maxRetries: 2 });
        cleanup.removedFolders += 1;
      } catch (error) {
        if (errorCode(error) !== 'ENOENT') fail(relative, error);
      }
    }
    return cleanup;
  }

  /**
   * After a checkpoint at `step` is recorded: the run's older checkpoint versions go — their records, and every
   * version folder `runs/<runId>/v/<older step>-<sha>/` that no remaining record names (the pruned checkpoints,
   * and checkpoints written by an attempt whose record was refused). Keys are step- and content-addressed, so
   * a run keeps its latest whole checkpoint and the store does not grow by one checkpoint an epoch. Failures
   * are logged (the record stands). Same path rules as removeRunFolders: real directories only, no symlink
   * followed.
   */
  async pruneCheckpoints(runId: string, step: number): Promise<void> {
    if (!UUID.test(runId)) return;
    const versions = runVersionsPrefix(runId);
    try {
      await this.prisma.artifact.deleteMany({ where: { runId, kind: 'checkpoint', step: { lt: step }, path: { startsWith: versions } } });
      const named = await this.prisma.artifact.findMany({ where: { runId, path: { startsWith: versions } }, select: { path: true } });
      const keep = new Set(named.map((r) => r.path.slice(versions.length).split('/')[0]));
      const root = await realpath(path.resolve(this.env.ARTIFACT_DIR));
      let folder = root;
      for (const segment of ['runs', runId, 'v']) {
        folder = path.join(folder, segment);
        const stats = await lstat(folder);
        if (!stats.isDirectory()) throw new Error(`${folder} is not a directory (a symlink is not followed)`);
      }
      for (const entry of await readdir(folder, { withFileTypes: true })) {
        const match = VERSION_FOLDER.exec(entry.name);
        if (!match || Number(match[1]) >= step || keep.has(entry.name)) continue;
        const full = path.join(folder, entry.name);
        if (entry.isDirectory()) await rm(full, { recursive: true, force: true, maxRetries: 2 });
        else await unlink(full);
      }
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return;
      this.logger.warn(`older checkpoints of run ${runId} not pruned: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
