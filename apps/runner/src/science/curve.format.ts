import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * Training curves in the format of the reference implementation's curves (shared/reference/README.md): a header
 * line, then one line every `every` steps with `value` (the statistics of the last step) and `mean100` (their
 * mean over the window of steps up to it), keyed by the reference's TensorBoard tags. `step` is the number of
 * optimiser steps done, so the row at step S summarises the steps whose forward pass was the S-100-th … S-th.
 */
export const curveHeaderSchema = z
  .object({
    header: z.literal(true),
    method: z.string().min(1).max(100),
    seed: z.number().int(),
    steps: z.number().int().positive(),
  })
  .loose();
export type CurveHeader = z.infer<typeof curveHeaderSchema>;

const statsSchema = z.record(z.string().max(200), z.number());

export const curveRowSchema = z
  .object({
    step: z.number().int().positive(),
    value: statsSchema,
    mean100: statsSchema,
  })
  .loose();
export type CurveRow = z.infer<typeof curveRowSchema>;

export interface Curve {
  readonly header: CurveHeader;
  /** By increasing step. */
  readonly rows: readonly CurveRow[];
  /** Where it was read from (for messages). */
  readonly source: string;
}

/** Reads one curve file; a malformed line is an error naming the file and the line. */
export function readCurveFile(file: string): Curve {
  const lines = readFileSync(file, 'utf8').split('\n').filter((line) => line.trim() !== '');
  if (lines.length === 0) throw new Error(`${file}: empty curve file`);
  const parseLine = <T>(schema: z.ZodType<T>, index: number): T => {
    let json: unknown;
    try {
      json = JSON.parse(lines[index] as string);
    } catch {
      throw new Error(`${file}:${index + 1}: not a JSON line`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${file}:${index + 1}: ${issue?.path.join('.') || 'line'}: ${issue?.message ?? 'invalid'}`);
    }
    return parsed.data;
  };
  const header = parseLine(curveHeaderSchema, 0);
  const rows = lines.slice(1).map((_, i) => parseLine(curveRowSchema, i + 1));
  rows.sort((a, b) => a.step - b.step);
  return { header, rows, source: file };
}

export function formatCurve(curve: Pick<Curve, 'header' | 'rows'>): string {
  const { header } = curve;
  return [header, ...curve.rows.map((row) => ({ method: header.method, seed: header.seed, ...row }))].map((line) => JSON.stringify(line)).join('\n') + '\n';
}

/** One logged point, as `metrics.jsonl` of an Equilab run holds them (`step` = index of the step, from 0). */
export interface LoggedPoint {
  readonly key: string;
  readonly step: number;
  readonly value: number;
}

/**
 * Reads an Equilab run's `metrics.jsonl` into one Map per key (step → value). A step logged twice (a run
 * resumed from a checkpoint before the last logged step recomputes it identically) keeps the last value.
 */
export function readMetricsFile(file: string): Map<string, Map<number, number>> {
  const series = new Map<string, Map<number, number>>();
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let point: LoggedPoint;
    try {
      point = JSON.parse(line) as LoggedPoint;
    } catch {
      // A machine stopped mid-write leaves a partial last line: it is recomputed on resume.
      if (i >= lines.length - 2) return;
      throw new Error(`${file}:${i + 1}: not a JSON line`);
    }
    if (typeof point.key !== 'string' || !Number.isInteger(point.step) || typeof point.value !== 'number') {
      throw new Error(`${file}:${i + 1}: expected {key, step, value}`);
    }
    let byStep = series.get(point.key);
    if (byStep === undefined) series.set(point.key, (byStep = new Map<number, number>()));
    byStep.set(point.step, point.value);
  });
  return series;
}

/** Steps 0 … n−1 all logged for `key`: n. */
export function contiguousSteps(series: Map<string, Map<number, number>>, key: string): number {
  const byStep = series.get(key);
  if (byStep === undefined) return 0;
  let n = 0;
  while (byStep.has(n)) n += 1;
  return n;
}

/**
 * The reference format of an Equilab run logged at every step: a row every `every` steps done, up to the last
 * complete window. Keys that start with `General/` (epoch, time, lr) are left out, as in the reference files.
 */
export function curveFromMetrics(series: Map<string, Map<number, number>>, header: CurveHeader, every = 100): Curve {
  const rows: CurveRow[] = [];
  const keys = [...series.keys()].filter((key) => !key.startsWith('General/'));
  for (let step = every; step <= header.steps; step += every) {
    const value: Record<string, number> = {};
    const mean100: Record<string, number> = {};
    for (const key of keys) {
      const byStep = series.get(key) as Map<number, number>;
      let sum = 0;
      let complete = true;
      for (let s = step - every; s < step; s++) {
        const v = byStep.get(s);
        if (v === undefined) {
          complete = false;
          break;
        }
        sum += v;
      }
      if (!complete) continue;
      value[key] = byStep.get(step - 1) as number;
      mean100[key] = sum / every;
    }
    if (Object.keys(mean100).length === 0) break;
    rows.push({ step, value, mean100 });
  }
  return { header, rows, source: '' };
}
