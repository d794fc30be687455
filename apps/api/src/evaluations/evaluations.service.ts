import { API_ENV, type ApiEnv } from '../config/api-env';
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import {
  EVALUATION_UPDATED_EVENT,
  EvaluationConfigError,
  evaluationConfigSchemas,
  evaluationKindSchema,
  parseEvaluationConfig,
  projectRoom,
  runRoom,
  sweepRoom,
  type CreateEvaluation,
  type Evaluation,
  type EvaluationReport,
  type EvaluationTable,
  type EvaluationTableQuery,
  type EvaluationUpdatedEvent,
} from '@equilab/contracts';
import { AppError } from '../common/app-error';
import { TokensService } from '../auth/tokens.service';
import { LiveGateway } from '../live/live.gateway';
import { PrismaService } from '../database/prisma.service';
import { DispatchService } from '../queue/dispatch.service';
import type { Evaluation as EvaluationRow, EvaluationResult as ResultRow, Prisma } from '../generated/prisma/client';
import { buildEvaluationTable, evaluationTableCsv, stableJson, type TableResult, type TableRun } from './evaluation-table';


/** A suite's config is shared by its kinds: each kind takes the options its schema knows (probe-only ones skip retrieval). */
export function suiteConfigFor(kind: string, config: Record<string, unknown>): Record<string, unknown> {
  const parsedKind = evaluationKindSchema.safeParse(kind);
  if (!parsedKind.success) return config;
  const known = new Set(Object.keys(evaluationConfigSchemas[parsedKind.data].shape));
  return Object.fromEntries(Object.entries(config).filter(([key]) => known.has(key)));
}

export function toEvaluation(row: EvaluationRow & { results: ResultRow[] }): Evaluation {
  return {
    id: row.id,
    runId: row.runId,
    kind: row.kind as Evaluation['kind'],
    config: row.config as Record<string, unknown>,
    status: row.status as Evaluation['status'],
    error: row.error,
    createdAt: row.createdAt.toISOString(),
    finishedAt: row.finishedAt ? row.finishedAt.toISOString() : null,
    results: row.results.map((r) => ({
      kind: r.kind as Evaluation['kind'],
      part: r.part as 'full' | 'inv' | 'equi',
      checkpoint: r.checkpoint,
      status: r.status as 'succeeded' | 'not_applicable',
      metrics: r.metrics as Record<string, number>,
      reason: r.reason,
      epochs: r.epochs,
      updatedAt: r.updatedAt.toISOString(),
    })),
  };
}

/**
 * Offline evaluations: requests (REST, a run's suite when it succeeds), `evaluate` jobs, results reported by
 * runners (upserted per run/kind/part/checkpoint), and the evaluation table. Its dependencies live in the app
 * module; they are looked up once at start-up.
 */
@Injectable()
export class EvaluationsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Evaluations');
  private prisma!: PrismaService;
  private dispatch!: DispatchService;
  private tokens!: TokensService;
  private gateway: LiveGateway | null = null;
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<number> | null = null;

  constructor(private readonly moduleRef: ModuleRef) {}

  onModuleInit(): void {
    this.prisma = this.moduleRef.get(PrismaService, { strict: false });
    this.dispatch = this.moduleRef.get(DispatchService, { strict: false });
    this.tokens = this.moduleRef.get(TokensService, { strict: false });
    try {
      this.gateway = this.moduleRef.get(LiveGateway, { strict: false });
    } catch {
      this.gateway = null;
    }
    const every = this.moduleRef.get<ApiEnv>(API_ENV, { strict: false }).EVALUATION_SUITE_POLL_MS;
    if (every > 0) {
      this.timer = setInterval(() => void this.queueSuites().catch((e: unknown) => this.logger.warn(`suite poll: ${String(e)}`)), every);
      this.timer.unref();
    }
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private emit(row: EvaluationRow, run: { projectId: string; sweepId: string | null }): void {
    const server = this.gateway?.server;
    if (!server) return;
    const event: EvaluationUpdatedEvent = { evaluationId: row.id, runId: row.runId, kind: row.kind as EvaluationUpdatedEvent['kind'], status: row.status as EvaluationUpdatedEvent['status'] };
    for (const room of [runRoom(row.runId), projectRoom(run.projectId), ...(run.sweepId ? [sweepRoom(run.sweepId)] : [])]) server.to(room).emit(EVALUATION_UPDATED_EVENT, event);
  }

  /** Request an evaluation of a finished run; the same (run, kind, config) is the same evaluation (a failed one is re-queued). */
  async request(runId: string, input: CreateEvaluation, auto = false): Promise<Evaluation> {
    const run = await this.prisma.run.findUnique({ where: { id: runId } });
    if (!run) throw AppError.notFound('run', runId);
    if (run.status !== 'succeeded') throw new AppError('illegal_transition', `run ${runId} is ${run.status}; only succeeded runs can be evaluated`);
    let parsed;
    try {
      parsed = parseEvaluationConfig(input.kind, input.config ?? {});
    } catch (error) {
      if (error instanceof EvaluationConfigError) throw AppError.field(error.field, error.message.slice(error.field.length + 2));
      throw error;
    }
    const config = parsed.config as Record<string, unknown>;
    const configKey = stableJson(config);
    const existing = await this.prisma.evaluation.findUnique({ where: { runId_kind_configKey: { runId, kind: parsed.kind, configKey } }, include: { results: true } });
    if (existing && existing.status !== 'failed') return toEvaluation(existing);
    const row = existing
      ? await this.prisma.evaluation.update({ where: { id: existing.id }, data: { status: 'queued', attempt: existing.attempt + 1, error: null, finishedAt: null } })
      : await this.prisma.evaluation
          .create({ data: { runId, kind: parsed.kind, config: config as Prisma.InputJsonValue, configKey, auto } })
          .catch(async (error: unknown) => {
            // A concurrent identical request won the unique key: return that one.
            if ((error as { code?: string }).code === 'P2002')
              return this.prisma.evaluation.findUniqueOrThrow({ where: { runId_kind_configKey: { runId, kind: parsed.kind, configKey } } });
            throw error;
          });
    if (!existing || existing.status === 'failed') {
      const { token } = await this.tokens.create(`evaluation ${row.id} of run ${runId}`, 'run', runId);
      await this.dispatch.addEvaluateJob(
        { runId, evaluationId: row.id, kind: parsed.kind, config, dataRoot: run.dataRoot, backend: run.requestedBackend as 'wasm', seed: run.seed, runToken: token },
        row.attempt,
      );
    }
    this.emit(row, run);
    return toEvaluation(await this.prisma.evaluation.findUniqueOrThrow({ where: { id: row.id }, include: { results: true } }));
  }

  async listForRun(runId: string): Promise<Evaluation[]> {
    const run = await this.prisma.run.findUnique({ where: { id: runId }, select: { id: true } });
    if (!run) throw AppError.notFound('run', runId);
    const rows = await this.prisma.evaluation.findMany({ where: { runId }, include: { results: true }, orderBy: { createdAt: 'asc' } });
    return rows.map(toEvaluation);
  }

  async get(id: string): Promise<Evaluation> {
    const row = await this.prisma.evaluation.findUnique({ where: { id }, include: { results: true } });
    if (!row) throw AppError.notFound('evaluation', id);
    return toEvaluation(row);
  }

  async runIdOf(id: string): Promise<string> {
    const row = await this.prisma.evaluation.findUnique({ where: { id }, select: { runId: true } });
    if (!row) throw AppError.notFound('evaluation', id);
    return row.runId;
  }

  /** Runner → API: the evaluation started, failed, or produced its outcome (upserted: re-runs replace it). */
  async report(id: string, report: EvaluationReport): Promise<Evaluation> {
    const row = await this.prisma.evaluation.findUnique({ where: { id }, include: { run: { select: { projectId: true, sweepId: true } } } });
    if (!row) throw AppError.notFound('evaluation', id);
    const now = new Date();
    let updated: EvaluationRow;
    if (report.status === 'running') {
      updated = await this.prisma.evaluation.update({ where: { id }, data: { status: 'running', startedAt: now, error: null } });
    } else if (report.status === 'failed') {
      updated = await this.prisma.evaluation.update({ where: { id }, data: { status: 'failed', error: report.error, finishedAt: now } });
    } else {
      const o = report.outcome;
      if (o.kind !== row.kind) throw AppError.field('outcome.kind', `evaluation ${id} is a ${row.kind} evaluation, not ${o.kind}`);
      const data = { evaluationId: id, status: o.status, metrics: o.metrics, reason: o.reason, epochs: o.epochs };
      updated = await this.prisma.$transaction(async (tx) => {
        await tx.evaluationResult.upsert({
          where: { runId_kind_part_checkpoint: { runId: row.runId, kind: o.kind, part: o.part, checkpoint: o.checkpoint } },
          create: { ...data, runId: row.runId, kind: o.kind, part: o.part, checkpoint: o.checkpoint },
          update: data,
        });
        return tx.evaluation.update({ where: { id }, data: { status: o.status, finishedAt: now, error: null } });
      });
    }
    this.emit(updated, row.run);
    return this.get(id);
  }

  /** Queue the requested suite of every succeeded run that has none queued yet (idempotent: unique key). */
  async queueSuites(): Promise<number> {
    // One sweep at a time: a caller arriving during one waits for it, then sweeps again.
    while (this.sweeping) await this.sweeping.catch(() => 0);
    this.sweeping = this.sweepOnce();
    try {
      return await this.sweeping;
    } finally {
      this.sweeping = null;
    }
  }

  private async sweepOnce(): Promise<number> {
    {
      const runs = await this.prisma.$queryRaw<{ id: string; evaluations: { kinds?: string[]; config?: Record<string, unknown> } }[]>`
        SELECT r.id, r.evaluations FROM "Run" r
        WHERE r.status = 'succeeded' AND r.evaluations IS NOT NULL
          AND jsonb_typeof(r.evaluations->'kinds') = 'array' AND jsonb_array_length(r.evaluations->'kinds') > 0
          AND NOT EXISTS (SELECT 1 FROM "Evaluation" e WHERE e."runId" = r.id AND e.auto)
        LIMIT 100`;
      let queued = 0;
      for (const run of runs) {
        for (const kind of run.evaluations.kinds ?? []) {
          try {
            await this.request(run.id, { kind: kind as CreateEvaluation['kind'], config: suiteConfigFor(kind, run.evaluations.config ?? {}) }, true);
            queued += 1;
          } catch (error) {
            // A bad suite (unknown kind, bad config) is recorded as a failed evaluation so it is not retried forever.
            const message = error instanceof Error ? error.message : String(error);
            await this.prisma.evaluation
              .create({ data: { runId: run.id, kind, config: {}, configKey: `invalid:${kind}`, auto: true, status: 'failed', error: message, finishedAt: new Date() } })
              .catch(() => undefined);
          }
        }
      }
      return queued;
    }
  }

  async table(query: z_TableQuery): Promise<{ table: EvaluationTable; csv: string | null }> {
    const where = query.runIds ? { id: { in: query.runIds } } : query.sweepId ? { sweepId: query.sweepId } : { projectId: query.projectId! };
    const runRows = await this.prisma.run.findMany({ where, take: 500, orderBy: { createdAt: 'asc' } });
    if (query.runIds) {
      const missing = query.runIds.filter((id) => !runRows.some((r) => r.id === id));
      if (missing.length) throw AppError.field('runIds', `unknown run(s) ${missing.join(', ')}`);
    }
    const runIds = runRows.map((r) => r.id);
    if (query.baselineRunId && !runIds.includes(query.baselineRunId)) {
      const baseline = await this.prisma.run.findUnique({ where: { id: query.baselineRunId } });
      if (!baseline) throw AppError.field('baselineRunId', `unknown run ${query.baselineRunId}`);
      runRows.push(baseline);
      runIds.push(baseline.id);
    }
    const resultRows = await this.prisma.evaluationResult.findMany({ where: { runId: { in: runIds } } });
    const runs: TableRun[] = runRows.map((r) => ({
      id: r.id,
      name: r.name,
      method: r.method,
      seed: r.seed,
      config: r.config as Record<string, unknown>,
      sweepParams: (r.sweepParams as Record<string, unknown> | null) ?? null,
    }));
    const results: TableResult[] = resultRows.map((r) => ({ ...r, metrics: r.metrics as Record<string, number> }));
    const table = buildEvaluationTable(runs, results, query.part, query.baselineRunId ?? null);
    return { table, csv: query.format === 'csv' ? evaluationTableCsv(table) : null };
  }
}

type z_TableQuery = {
  runIds?: string[] | undefined;
  sweepId?: string | undefined;
  projectId?: string | undefined;
  baselineRunId?: string | undefined;
  part: 'full' | 'inv' | 'equi';
  format: 'json' | 'csv';
};
export type { EvaluationTableQuery };
