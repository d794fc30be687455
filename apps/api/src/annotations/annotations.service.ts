import { Injectable } from '@nestjs/common';
import {
  annotateSchema,
  createRunViewSchema,
  MAX_VIEWS_PER_PROJECT,
  RUNS_EXPORT_COLUMNS,
  runMatchesSearch,
  runsExportQuerySchema,
  updateRunViewSchema,
  type Run,
  type RunView,
} from '@equilab/contracts';
import type { z } from 'zod';
import { AppError } from '../common/app-error';
import { PrismaService } from '../database/prisma.service';
import type { Prisma, RunView as RunViewRow } from '../generated/prisma/client';
import { LiveService } from '../live/live.service';
import { MetricsRepository } from '../metrics/metrics.repository';
import { csvLine } from '../metrics/metrics-export';
import { toRun } from '../runs/run.mapper';
import { SweepsService } from '../sweeps/sweeps.service';

type Annotate = z.output<typeof annotateSchema>;

/** Most runs one Runs export holds (the API's list pages hold 200; an export is the whole filtered table). */
export const MAX_EXPORT_RUNS = 10_000;

const SORT_FIELDS = { createdAt: 'createdAt', name: 'name', status: 'status', finishedAt: 'finishedAt' } as const;

function toView(row: RunViewRow): RunView {
  return { id: row.id, projectId: row.projectId, name: row.name, query: row.query, createdAt: row.createdAt.toISOString() };
}

/** `a.b.c` paths of every leaf of a config (arrays are one value, written as JSON). */
export function flattenConfig(value: Record<string, unknown>, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) for (const [p, leaf] of flattenConfig(v as Record<string, unknown>, path)) out.set(p, leaf);
    else out.set(path, v);
  }
  return out;
}

const cell = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v));

/** The Runs table as CSV: the fixed columns, then every config path, then every metric's last value (sorted names). */
export function runsCsv(runs: readonly Run[], latest: ReadonlyMap<string, Readonly<Record<string, number>>>): string {
  const configs = runs.map((r) => flattenConfig(r.config));
  const configKeys = [...new Set(configs.flatMap((c) => [...c.keys()]))].sort();
  const metricKeys = [...new Set([...latest.values()].flatMap((m) => Object.keys(m)))].sort();
  let out = csvLine([...RUNS_EXPORT_COLUMNS, ...configKeys.map((k) => `config.${k}`), ...metricKeys.map((k) => `metric:${k}`)]);
  runs.forEach((r, i) => {
    const fixed = [r.id, r.name, r.status, r.method, r.seed, r.sweepId, r.tags.join(' '), r.notes, r.step, r.totalSteps, r.createdAt, r.startedAt, r.finishedAt];
    const metrics = latest.get(r.id) ?? {};
    out += csvLine([
      ...fixed.map(cell),
      ...configKeys.map((k) => cell(configs[i]!.get(k))),
      ...metricKeys.map((k) => (Object.hasOwn(metrics, k) ? String(metrics[k]) : '')),
    ]);
  });
  return out;
}

/** A researcher's writing about runs and sweeps: names, tags, notes; saved Runs-table views; the Runs export. */
@Injectable()
export class AnnotationsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly metrics: MetricsRepository,
    private readonly sweeps: SweepsService,
    private readonly live: LiveService,
  ) {}

  private data(input: Annotate): { name?: string; tags?: string[]; notes?: string } {
    return { ...(input.name !== undefined ? { name: input.name } : {}), ...(input.tags !== undefined ? { tags: input.tags } : {}), ...(input.notes !== undefined ? { notes: input.notes } : {}) };
  }

  async annotateRun(id: string, input: Annotate): Promise<Run> {
    const found = await this.prisma.run.findUnique({ where: { id }, select: { id: true } });
    if (!found) throw AppError.notFound('run', id);
    const run = toRun(await this.prisma.run.update({ where: { id }, data: this.data(input) }));
    this.live.run(run);
    return run;
  }

  async annotateSweep(id: string, input: Annotate) {
    const found = await this.prisma.sweep.findUnique({ where: { id }, select: { id: true } });
    if (!found) throw AppError.notFound('sweep', id);
    await this.prisma.sweep.update({ where: { id }, data: this.data(input) });
    return this.sweeps.get(id);
  }

  private async project(id: string): Promise<void> {
    const project = await this.prisma.project.findUnique({ where: { id }, select: { id: true } });
    if (!project) throw AppError.notFound('project', id);
  }

  async listViews(projectId: string): Promise<RunView[]> {
    await this.project(projectId);
    const rows = await this.prisma.runView.findMany({ where: { projectId }, orderBy: { name: 'asc' }, take: MAX_VIEWS_PER_PROJECT });
    return rows.map(toView);
  }

  private conflict(error: unknown, name: string | undefined): never {
    if ((error as { code?: string }).code === 'P2002') throw AppError.field('name', `a view named '${name ?? ''}' exists in this project`);
    throw error;
  }

  async createView(projectId: string, input: z.output<typeof createRunViewSchema>): Promise<RunView> {
    await this.project(projectId);
    if ((await this.prisma.runView.count({ where: { projectId } })) >= MAX_VIEWS_PER_PROJECT)
      throw AppError.field('name', `a project holds at most ${MAX_VIEWS_PER_PROJECT} views; delete one first`);
    const row = await this.prisma.runView.create({ data: { projectId, name: input.name, query: input.query } }).catch((e: unknown) => this.conflict(e, input.name));
    return toView(row);
  }

  async updateView(projectId: string, viewId: string, input: z.output<typeof updateRunViewSchema>): Promise<RunView> {
    const view = await this.prisma.runView.findUnique({ where: { id: viewId } });
    if (!view || view.projectId !== projectId) throw AppError.notFound('view', viewId);
    const data = { ...(input.name !== undefined ? { name: input.name } : {}), ...(input.query !== undefined ? { query: input.query } : {}) };
    const row = await this.prisma.runView.update({ where: { id: viewId }, data }).catch((e: unknown) => this.conflict(e, input.name));
    return toView(row);
  }

  async deleteView(projectId: string, viewId: string): Promise<void> {
    const deleted = await this.prisma.runView.deleteMany({ where: { id: viewId, projectId } });
    if (deleted.count === 0) throw AppError.notFound('view', viewId);
  }

  /** The Runs table of a project as CSV, filtered and sorted as `GET /api/runs` and the table's search do. */
  async exportRuns(query: z.output<typeof runsExportQuerySchema>): Promise<string> {
    await this.project(query.projectId);
    const where: Prisma.RunWhereInput = {
      projectId: query.projectId,
      ...(query.sweepId ? { sweepId: query.sweepId } : {}),
      ...(query.status?.length ? { status: { in: query.status } } : {}),
      ...(query.method ? { method: query.method } : {}),
      ...(query.tags?.length ? { tags: { hasEvery: query.tags } } : {}),
    };
    const dir = query.sort.startsWith('-') ? 'desc' : 'asc';
    const field = SORT_FIELDS[query.sort.replace(/^-/, '') as keyof typeof SORT_FIELDS];
    const rows = await this.prisma.run.findMany({ where, orderBy: [{ [field]: dir }, { id: dir }], take: MAX_EXPORT_RUNS + 1 });
    if (rows.length > MAX_EXPORT_RUNS) throw AppError.field('projectId', `more than ${MAX_EXPORT_RUNS} runs match; narrow the export with sweepId, status, method or tags`);
    const runs = rows.map(toRun).filter((r) => runMatchesSearch(r, query.q ?? ''));
    const latest = new Map<string, Record<string, number>>();
    for (const run of runs) latest.set(run.id, Object.fromEntries(Object.entries(await this.metrics.latest(run.id)).map(([k, p]) => [k, p.value])));
    return runsCsv(runs, latest);
  }
}
