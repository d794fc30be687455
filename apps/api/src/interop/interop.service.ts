import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  MAX_TENSORBOARD_FILES,
  MAX_TENSORBOARD_UPLOAD_BYTES,
  MethodConfigError,
  isMethodName,
  methodNames,
  tensorboardImportFieldsSchema,
  versionedArtifactKey,
  weightsImportFieldsSchema,
  type ReferenceWeightsFormatName,
  type TensorboardImportResult,
  type WeightsImportResult,
} from '@equilab/contracts';
import { encodeEventFile, eventFileName, metricPointsToScalars, readEventFiles, scalarsToMetricPoints, type ScalarPoint } from '@equilab/interop/tensorboard';
import { AppError, parseInput } from '../common/app-error';
import { API_ENV, type ApiEnv } from '../config/api-env';
import { PrismaService } from '../database/prisma.service';
import type { Prisma } from '../generated/prisma/client';
import { LiveService } from '../live/live.service';
import { MetricsRepository } from '../metrics/metrics.repository';
import { toRun } from '../runs/run.mapper';
import type { DownloadedFile } from './download';
import { initWeightsOf } from './init-weights';

/** An uploaded event file (multer's memory storage). */
export interface UploadedEventFile {
  readonly originalname: string;
  readonly buffer: Buffer;
  readonly size: number;
}

/** Longest uploaded file name kept (the name orders a run's files, as TensorBoard orders them). */
const MAX_FILE_NAME = 255;

const WEIGHTS_FILE = 'final_weights.safetensors';
const CHECKPOINT_FILE = 'checkpoint.safetensors';

/** An uploaded weights file (multer's memory storage). */
export interface UploadedWeightsFile {
  readonly originalname: string;
  readonly buffer: Buffer;
  readonly size: number;
}

/** The uploaded file's name as error messages show it (no folders; at most 255 safe characters). */
function shownFileName(original: string): string {
  const base = original.split(/[\\/]/).pop() ?? '';
  const safe = base.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 255);
  return safe === '' || safe === '.' || safe === '..' ? 'weights' : safe;
}

/**
 * TensorBoard event files in (a REST upload becomes an `imported` run beside Equilab's own) and out (a run's
 * series as one event file), and a run's final backbone in the reference's PyTorch naming (libs/interop).
 */
@Injectable()
export class InteropService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly metrics: MetricsRepository,
    private readonly live: LiveService,
    @Inject(API_ENV) private readonly env: ApiEnv,
  ) {}

  /**
   * Creates one `imported` run from a log directory's event files. A corrupt or truncated file is a 400 naming
   * the file and the record's byte offset; the records before it are stored (the message gives the run id).
   */
  async importTensorboard(fields: unknown, files: readonly UploadedEventFile[] | undefined): Promise<TensorboardImportResult> {
    const input = parseInput(tensorboardImportFieldsSchema, fields);
    if (!files || files.length === 0) throw AppError.field('files', 'at least one TensorBoard event file is required');
    if (files.length > MAX_TENSORBOARD_FILES) throw AppError.field('files', `at most ${MAX_TENSORBOARD_FILES} files per run, got ${files.length}`);
    const total = files.reduce((n, f) => n + f.size, 0);
    if (total > MAX_TENSORBOARD_UPLOAD_BYTES) throw new AppError('payload_too_large', `files: ${total} bytes in all, at most ${MAX_TENSORBOARD_UPLOAD_BYTES}`);
    const names = new Set<string>();
    for (const f of files) {
      if (f.originalname.length === 0 || f.originalname.length > MAX_FILE_NAME) throw AppError.field('files', `file names must have 1–${MAX_FILE_NAME} characters`);
      if (names.has(f.originalname)) throw AppError.field('files', `file ${f.originalname} is uploaded twice`);
      names.add(f.originalname);
    }
    const project = await this.prisma.project.findUnique({ where: { id: input.projectId }, select: { id: true } });
    if (!project) throw AppError.notFound('project', input.projectId);

    const sorted = [...files].sort((a, b) => (a.originalname < b.originalname ? -1 : 1));
    const read = readEventFiles(sorted.map((f) => ({ name: f.originalname, bytes: f.buffer })));
    const errors = read.errors;
    const fileReports: TensorboardImportResult['files'] = read.files.map((f) => ({ file: f.file, records: f.records, fileVersion: f.fileVersion }));
    const conversion = scalarsToMetricPoints(read.points);
    if (conversion.points.length === 0 && errors.length > 0) {
      // Nothing readable: nothing to keep, so no run.
      throw AppError.validation(errors.map((e) => ({ path: `files.${e.file}`, message: `record at byte offset ${e.offset}: ${e.reason}` })));
    }
    const times = conversion.points.map((p) => p.time);
    const steps = conversion.points.map((p) => p.step);
    const row = await this.prisma.run.create({
      data: {
        projectId: input.projectId,
        name: input.name,
        method: input.method,
        config: { imported: { from: 'tensorboard', files: fileReports.map((f) => f.file) } },
        status: 'imported',
        seed: 0,
        requestedBackend: 'imported',
        dataRoot: '',
        step: steps.length ? Math.max(...steps) : null,
        startedAt: times.length ? new Date(Math.min(...times)) : null,
        finishedAt: times.length ? new Date(Math.max(...times)) : null,
      },
    });
    try {
      await this.metrics.upsert(row.id, conversion.points);
    } catch (error) {
      await this.prisma.run.delete({ where: { id: row.id } }).catch(() => undefined);
      throw error;
    }
    this.live.run(toRun(row));
    if (errors.length > 0) {
      throw AppError.validation(
        errors.map((e) => ({
          path: `files.${e.file}`,
          message: `record at byte offset ${e.offset}: ${e.reason}; the ${conversion.points.length} points before it are imported into run ${row.id}`,
        })),
      );
    }
    return {
      runId: row.id,
      name: row.name,
      points: conversion.points.length,
      keys: new Set(conversion.points.map((p) => p.key)).size,
      files: fileReports,
      skipped: read.skipped,
      dropped: conversion.dropped,
    };
  }

  /**
   * `POST /api/imports/weights`: the reference's backbone (`.pth` or safetensors; libs/interop reads it) becomes an
   * `imported` run holding it as its final weights (`runs/<id>/v/…/final_weights.safetensors`) beside a finished
   * `checkpoint.safetensors` with the method's heads freshly initialised — the folder `equilab import weights`
   * writes — so the evaluation routes evaluate it on a runner as a trained run. Every tensor's name and shape is
   * checked first: a bad file is a 400 on `file` naming the problem (and the tensor), and nothing is stored.
   */
  async importWeights(fields: unknown, file: UploadedWeightsFile | undefined): Promise<WeightsImportResult> {
    const input = parseInput(weightsImportFieldsSchema, fields);
    if (!isMethodName(input.method)) throw AppError.field('method', `unknown method '${input.method}'; expected one of ${methodNames.join(', ')}`);
    if (!file || file.size === 0) throw AppError.field('file', 'a weights file (.pth or safetensors) is required');
    const project = await this.prisma.project.findUnique({ where: { id: input.projectId }, select: { id: true } });
    if (!project) throw AppError.notFound('project', input.projectId);
    const shown = shownFileName(file.originalname);
    const work = await mkdtemp(path.join(tmpdir(), 'equilab-weights-import-'));
    try {
      const upload = path.join(work, 'upload', shown);
      await mkdir(path.dirname(upload), { recursive: true });
      await writeFile(upload, file.buffer);
      const outDir = path.join(work, 'run');
      // libs/interop's weights code loads TensorFlow.js (through libs/sie): only when weights are imported.
      const interop = await import('@equilab/interop');
      let run;
      try {
        run = interop.writeReferenceRun({ weightsFile: upload, method: input.method, config: input.config ?? {}, outDir });
      } catch (error) {
        if (error instanceof MethodConfigError) {
          const issue = error.issues[0];
          throw AppError.field(issue?.path.length ? `config.${issue.path.join('.')}` : 'config', issue?.message ?? error.message);
        }
        const message = (error instanceof Error ? error.message : String(error)).split(upload).join(shown);
        throw AppError.field('file', message);
      }
      const id = randomUUID();
      const stored: { kind: string; key: string; size: number; sha256: string }[] = [];
      const root = path.resolve(this.env.ARTIFACT_DIR);
      try {
        for (const [name, kind] of [
          [WEIGHTS_FILE, 'final-weights'],
          [CHECKPOINT_FILE, 'checkpoint'],
        ] as const) {
          const bytes = await readFile(path.join(outDir, name));
          const sha256 = createHash('sha256').update(bytes).digest('hex');
          // The store's layout for a run's training-state files, as the runner writes them (step 0).
          const key = versionedArtifactKey(id, name, 0, sha256);
          const target = path.join(root, ...key.split('/'));
          await mkdir(path.dirname(target), { recursive: true });
          await copyFile(path.join(outDir, name), `${target}.tmp`);
          await rename(`${target}.tmp`, target);
          stored.push({ kind, key, size: bytes.length, sha256 });
        }
        const now = new Date();
        const row = await this.prisma.$transaction(async (tx) => {
          const created = await tx.run.create({
            data: {
              id,
              projectId: input.projectId,
              name: input.name ?? shown,
              method: input.method,
              config: run.config as Prisma.InputJsonValue,
              status: 'imported',
              seed: 0,
              requestedBackend: input.backend,
              dataRoot: input.dataRoot ?? this.env.DATA_ROOT,
              startedAt: now,
              finishedAt: now,
            },
          });
          for (const s of stored) await tx.artifact.create({ data: { runId: id, kind: s.kind, path: s.key, size: BigInt(s.size), sha256: s.sha256, step: null } });
          return created;
        });
        const artifacts = await this.prisma.artifact.findMany({ where: { runId: id }, orderBy: { path: 'desc' } });
        this.live.run(toRun(row));
        return {
          runId: id,
          name: row.name,
          method: row.method,
          width: Number(run.config.width),
          tensors: run.loaded.backboneTensors,
          prefix: run.weights.prefix,
          artifacts: artifacts.map((a) => ({ id: a.id, kind: a.kind, path: a.path, size: Number(a.size), sha256: a.sha256 })),
        };
      } catch (error) {
        await rm(path.join(root, 'runs', id), { recursive: true, force: true });
        throw error;
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  /**
   * `GET /api/runs/:id/init-weights`: the stored file the run starts from (its `initWeights` artifact, as stored:
   * Equilab's safetensors), fetched by the runner with the attempt's run token.
   */
  async initWeightsFile(runId: string): Promise<DownloadedFile> {
    const run = await this.prisma.run.findUnique({ where: { id: runId }, select: { initWeights: true } });
    if (!run) throw AppError.notFound('run', runId);
    const init = initWeightsOf(run.initWeights);
    if (!init) throw new AppError('not_found', `run ${runId} starts from its seeded init (no initWeights)`);
    const artifact = await this.prisma.artifact.findUnique({ where: { id: init.artifactId } });
    if (!artifact) throw new AppError('not_found', `artifact ${init.artifactId} (initWeights of run ${runId}) no longer exists`);
    const root = path.resolve(this.env.ARTIFACT_DIR);
    const file = path.resolve(root, artifact.path);
    if (!file.startsWith(`${root}${path.sep}`)) throw new AppError('internal', `artifact path ${artifact.path} lies outside the artifact store`);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      throw new AppError('not_found', `artifact ${artifact.id} (${artifact.path}) is missing from the store: ${error instanceof Error ? error.message : String(error)}`);
    }
    return { fileName: path.basename(artifact.path), contentType: 'application/octet-stream', bytes };
  }

  /** The run's series (optionally some keys) as one TensorBoard event file. */
  async exportTfevents(runId: string, keys: readonly string[] | undefined): Promise<DownloadedFile> {
    const run = await this.prisma.run.findUnique({ where: { id: runId }, select: { id: true } });
    if (!run) throw AppError.notFound('run', runId);
    const points: ScalarPoint[] = [];
    for await (const rows of this.metrics.exportRows([runId], keys ? [...keys] : undefined)) {
      for (const r of rows) points.push(...metricPointsToScalars([{ key: r.key, step: r.step, value: r.value, time: r.time.getTime() }]));
    }
    const start = points.reduce((t, p) => Math.min(t, p.wallTime), Date.now() / 1000);
    return {
      fileName: `${eventFileName(start)}.${runId}`,
      contentType: 'application/octet-stream',
      bytes: encodeEventFile(points, { startTime: start }),
    };
  }

  /** The run's final backbone (its `final_weights.safetensors` artifact) in the reference's naming and layout. */
  async exportWeights(runId: string, format: ReferenceWeightsFormatName): Promise<DownloadedFile> {
    const run = await this.prisma.run.findUnique({ where: { id: runId }, select: { id: true, status: true } });
    if (!run) throw AppError.notFound('run', runId);
    const artifact = await this.prisma.artifact.findFirst({
      where: { runId, kind: 'final-weights', path: { endsWith: WEIGHTS_FILE } },
      orderBy: { createdAt: 'desc' },
    });
    if (!artifact) {
      throw new AppError('not_found', `run ${runId} has no final weights (status ${run.status}: ${run.status === 'imported' ? 'a TensorBoard import holds metrics only' : 'weights are stored when training finishes'})`);
    }
    const root = path.resolve(this.env.ARTIFACT_DIR);
    const file = path.resolve(root, artifact.path);
    if (!file.startsWith(`${root}${path.sep}`)) throw new AppError('internal', `artifact path ${artifact.path} lies outside the artifact store`);
    // libs/interop's weights code loads TensorFlow.js (through libs/sie): only when weights are asked for.
    const interop = await import('@equilab/interop');
    let tensors;
    try {
      tensors = interop.readEquilabWeights(file);
    } catch (error) {
      throw new AppError('unavailable', `final weights of run ${runId} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
    }
    const metadata = { source: `equilab run ${runId}` };
    if (format === 'pth-state-dict') {
      return { fileName: 'final_weights.pth', contentType: 'application/octet-stream', bytes: interop.encodeReferenceWeights(tensors, format) };
    }
    const dir = await mkdtemp(path.join(tmpdir(), 'equilab-weights-'));
    try {
      const out = path.join(dir, 'final_weights.safetensors');
      interop.writeReferenceWeights(tensors, format, out, metadata);
      return { fileName: 'final_weights.reference.safetensors', contentType: 'application/octet-stream', bytes: await readFile(out) };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
