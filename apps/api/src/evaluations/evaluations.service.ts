import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import {
  EvaluationConfigError,
  evaluationConfigSchemas,
  evaluationKindSchema,
  evaluationPartSchema,
  evaluationPartsFor,
  evaluationStatusSchema,
  evaluationSuiteRequestSchema,
  evaluationTableQuerySchema,
  parseEvaluationConfig,
  type CreateEvaluation,
  type Evaluation,
  type EvaluationPart,
  type EvaluationReport,
  type EvaluationTable,
  type RequestEvaluationSuite,
} from '@equilab/contracts';
import type { z } from 'zod';
import { AppError } from '../common/app-error';
import { PrismaService } from '../database/prisma.service';
import type { Evaluation as EvaluationRow, EvaluationResult as ResultRow, Prisma, Run as RunRow } from '../generated/prisma/client';
import { LiveService } from '../live/live.service';
import { DispatchService } from '../queue/dispatch.service';
import { buildEvaluationTable, evaluationTableCsv, stableJson, type TableResult, type TableRun } from './evaluation-table';
import { initWeightsOf } from '../interop/init-weights';

/** A suite's config is shared by its kinds: each kind takes the options its schema knows (probe-only ones skip retrieval). */
export function suiteConfigFor(kind: string, config: Record<string, unknown>): Record<string, unknown> {
  const parsedKind = evaluationKindSchema.safeParse(kind);
  if (!parsedKind.success) return config;
  const known = new Set(Object.keys(evaluationConfigSchemas[parsedKind.data].shape));
  return Object.fromEntries(Object.entries(config).filter(([key]) => known.has(key)));
}

/**
 * The evaluations of a suite: each probe kind once per part (its shared config plus `part`), retrieval once (it
 * scores the equivariant predictor, whatever the parts). Parts default to the method's (`evaluationPartsFor`: full,
 * inv and equi for a split method), or to the config's own `part` when a suite stored before `parts` existed set one.
 */
export function suiteEvaluations(
  method: string,
  suite: { kinds: readonly string[]; parts?: readonly EvaluationPart[] | undefined; config: Record<string, unknown> },
): CreateEvaluation[] {
  const ownPart = evaluationPartSchema.safeParse(suite.config['part']);
  const parts = suite.parts ?? (ownPart.success ? [ownPart.data] : evaluationPartsFor(method));
  const out: CreateEvaluation[] = [];
  for (const kind of suite.kinds) {
    const config = suiteConfigFor(kind, suite.config);
    if (kind === 'retrieval' || !evaluationKindSchema.safeParse(kind).success) out.push({ kind: kind as CreateEvaluation['kind'], config });
    else for (const part of parts) out.push({ kind: kind as CreateEvaluation['kind'], config: { ...config, part } });
  }
  return out;
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
 * Offline evaluations: requests (REST, and a run's requested suite when the run succeeds), `evaluate` jobs,
 * results reported by runners (upserted per run/kind/part/checkpoint), and the evaluation table.
 */
@Injectable()
export class EvaluationsService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Evaluations');

  constructor(
    private readonly prisma: PrismaService,
    private readonly dispatch: DispatchService,
    private readonly live: LiveService,
  ) {}

  /**
   * Suites of runs that succeeded while no API process could queue them (it stopped between the run's status
   * change and the queueing) are queued at start-up; every later suite is queued by the run's succeeded transition.
   */
  async onApplicationBootstrap(): Promise<void> {
    await this.queueSuites().catch((error: unknown) => this.logger.warn(`queueing pending evaluation suites: ${String(error)}`));
  }

  private emit(row: EvaluationRow, run: { id: string; projectId: string; sweepId: string | null }): void {
    this.live.evaluation(run, { evaluationId: row.id, runId: row.runId, kind: evaluationKindSchema.parse(row.kind), status: evaluationStatusSchema.parse(row.status) });
  }

  /**
   * Succeeded runs, and imported runs that hold weights (`POST /api/imports/weights`: the reference's backbone
   * as final weights); a TensorBoard import holds metrics only.
   */
  private async assertEvaluable(run: { id: string; status: string }): Promise<void> {
    if (run.status === 'succeeded') return;
    if (run.status === 'imported' && (await this.prisma.artifact.count({ where: { runId: run.id, kind: 'final-weights' } })) > 0) return;
    throw new AppError('illegal_transition', `run ${run.id} is ${run.status}; only succeeded runs and imported runs holding weights can be evaluated`);
  }

  /** Request an evaluation of a finished run; the same (run, kind, config) is the same evaluation (a failed one is re-queued). */
  async request(runId: string, input: CreateEvaluation, auto = false): Promise<Evaluation> {
    const run = await this.prisma.run.findUnique({ where: { id: runId } });
    if (!run) throw AppError.notFound('run', runId);
    await this.assertEvaluable(run);
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
    if (!existing || existing.status === 'failed') await this.dispatch.addEvaluateJob(run, row);
    this.emit(row, run);
    return toEvaluation(await this.prisma.evaluation.findUniqueOrThrow({ where: { id: row.id }, include: { results: true } }));
  }

  /**
   * `POST /runs/:id/evaluations/suite`: every evaluation of the suite (`suiteEvaluations`), each idempotent like a
   * single request. All configs are checked before any is queued, so a bad one queues nothing (400 naming it).
   */
  async requestSuite(runId: string, input: RequestEvaluationSuite): Promise<Evaluation[]> {
    const run = await this.prisma.run.findUnique({ where: { id: runId } });
    if (!run) throw AppError.notFound('run', runId);
    await this.assertEvaluable(run);
    if ('part' in (input.config ?? {})) throw AppError.field('config.part', 'give the parts in `parts`, not in config');
    const requests = suiteEvaluations(run.method, { kinds: input.kinds, parts: input.parts, config: input.config ?? {} });
    for (const r of requests) {
      try {
        parseEvaluationConfig(r.kind, r.config ?? {});
      } catch (error) {
        if (error instanceof EvaluationConfigError) throw AppError.field(error.field, `${r.kind}: ${error.message.slice(error.field.length + 2)}`);
        throw error;
      }
    }
    const out: Evaluation[] = [];
    for (const r of requests) out.push(await this.request(runId, r));
    return out;
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
    const row = await this.prisma.evaluation.findUnique({ where: { id }, include: { run: { select: { id: true, projectId: true, sweepId: true } } } });
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

  /**
   * Queue the evaluation suite a succeeded run requested (`evaluations` of POST /runs or /sweeps), once: a run that
   * already has its suite queued gets nothing new. A bad suite (unknown kind, bad config) is stored as a failed
   * evaluation, so it is reported and not tried again. Returns the number of evaluations queued.
   */
  async queueSuite(run: RunRow): Promise<number> {
    const suite = evaluationSuiteRequestSchema.safeParse(run.evaluations);
    if (run.status !== 'succeeded' || !suite.success || suite.data.kinds.length === 0) return 0;
    if (await this.prisma.evaluation.findFirst({ where: { runId: run.id, auto: true }, select: { id: true } })) return 0;
    let queued = 0;
    for (const evaluation of suiteEvaluations(run.method, suite.data)) {
      const { kind } = evaluation;
      try {
        await this.request(run.id, evaluation, true);
        queued += 1;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const part = typeof evaluation.config?.['part'] === 'string' ? `:${evaluation.config['part']}` : '';
        await this.prisma.evaluation
          .create({ data: { runId: run.id, kind, config: {}, configKey: `invalid:${kind}${part}`, auto: true, status: 'failed', error: message, finishedAt: new Date() } })
          .catch(() => undefined);
      }
    }
    return queued;
  }

  /** Queue the suite of every succeeded run that requested one and has none queued (idempotent). */
  async queueSuites(): Promise<number> {
    let queued = 0;
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const ids = await this.prisma.$queryRaw<{ id: string }[]>`
        SELECT r.id FROM "Run" r
        WHERE r.status = 'succeeded' AND r.id > ${after}::uuid
          AND jsonb_typeof(r.evaluations->'kinds') = 'array' AND jsonb_array_length(r.evaluations->'kinds') > 0
          AND NOT EXISTS (SELECT 1 FROM "Evaluation" e WHERE e."runId" = r.id AND e.auto)
        ORDER BY r.id LIMIT 100`;
      for (const { id } of ids) {
        const run = await this.prisma.run.findUnique({ where: { id } });
        if (run) queued += await this.queueSuite(run);
      }
      const last = ids[ids.length - 1];
      if (!last || ids.length < 100) return queued;
      after = last.id;
    }
  }

  async table(query: z.output<typeof evaluationTableQuerySchema>): Promise<{ table: EvaluationTable; csv: string | null }> {
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
      initWeightsArtifactId: initWeightsOf(r.initWeights)?.artifactId ?? null,
    }));
    const results: TableResult[] = resultRows.map((r) => ({ ...r, metrics: r.metrics as Record<string, number> }));
    const table = buildEvaluationTable(runs, results, query.part, query.baselineRunId ?? null);
    return { table, csv: query.format === 'csv' ? evaluationTableCsv(table) : null };
  }
}
