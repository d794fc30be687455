import { Injectable } from '@nestjs/common';
import type { MetricPoint, MetricSummary, SeriesPoint } from '@equilab/contracts';
import { PgPoolService } from '../database/pg-pool.service';

/** Rows per INSERT statement (5 array parameters each, far below Postgres' 65,535-parameter cap). */
export const METRIC_CHUNK = 5_000;

interface SeriesRange {
  readonly fromStep?: number | undefined;
  readonly toStep?: number | undefined;
}

/** Keep the last of duplicate (key, step) pairs in one batch: ON CONFLICT cannot touch a row twice. */
export function dedupePoints(points: readonly MetricPoint[]): MetricPoint[] {
  const byKey = new Map<string, MetricPoint>();
  for (const p of points) byKey.set(`${p.key}\u0000${p.step}`, p);
  return [...byKey.values()];
}

/**
 * Metric storage through plain pg: upserts of unnest()ed arrays in chunks; re-writing a stored point with the
 * same value changes nothing (the `WHERE … IS DISTINCT FROM` skips the update), a late point lands at its step.
 */
@Injectable()
export class MetricsRepository {
  constructor(private readonly pool: PgPoolService) {}

  async upsert(runId: string, points: readonly MetricPoint[]): Promise<number> {
    const unique = dedupePoints(points);
    let written = 0;
    for (let i = 0; i < unique.length; i += METRIC_CHUNK) {
      const chunk = unique.slice(i, i + METRIC_CHUNK);
      const result = await this.pool.query(
        `INSERT INTO "Metric" ("runId", "key", "step", "value", "wallTime")
         SELECT $1::uuid, u.k, u.s, u.v, to_timestamp(u.t / 1000.0)
         FROM unnest($2::text[], $3::int[], $4::float8[], $5::float8[]) AS u(k, s, v, t)
         ON CONFLICT ("runId", "key", "step") DO UPDATE SET "value" = EXCLUDED."value", "wallTime" = EXCLUDED."wallTime"
         WHERE "Metric"."value" IS DISTINCT FROM EXCLUDED."value"`,
        [runId, chunk.map((p) => p.key), chunk.map((p) => p.step), chunk.map((p) => p.value), chunk.map((p) => p.time)],
      );
      written += result.rowCount ?? 0;
    }
    return written;
  }

  /** Latest (highest step) point of every key of a run. */
  async latest(runId: string): Promise<Record<string, SeriesPoint>> {
    const { rows } = await this.pool.query<{ key: string; step: number; value: number; time: string }>(
      `SELECT DISTINCT ON ("key") "key", "step", "value", (extract(epoch from "wallTime") * 1000)::float8 AS time
       FROM "Metric" WHERE "runId" = $1 ORDER BY "key", "step" DESC`,
      [runId],
    );
    const out: Record<string, SeriesPoint> = {};
    for (const r of rows) out[r.key] = { step: r.step, value: r.value, time: Math.round(Number(r.time)) };
    return out;
  }

  async summary(runId: string): Promise<MetricSummary[]> {
    const { rows } = await this.pool.query<{ key: string; count: string; min: number; max: number; last: number; lastStep: number }>(
      `SELECT "key", count(*) AS count, min("value") AS min, max("value") AS max,
              (array_agg("value" ORDER BY "step" DESC))[1] AS last, max("step") AS "lastStep"
       FROM "Metric" WHERE "runId" = $1 GROUP BY "key" ORDER BY "key"`,
      [runId],
    );
    return rows.map((r) => ({ key: r.key, count: Number(r.count), min: r.min, max: r.max, last: r.last, lastStep: r.lastStep }));
  }

  /**
   * One series, downsampled to about `target` points when it has more: the step range is cut into
   * target/4 buckets and each bucket keeps its first, last, minimum and maximum point, so extremes survive.
   */
  async series(runId: string, key: string, range: SeriesRange, target: number): Promise<{ total: number; points: SeriesPoint[] }> {
    const lo = range.fromStep ?? 0;
    const hi = range.toStep ?? 2_147_483_647;
    const stats = await this.pool.query<{ n: string; lo: number | null; hi: number | null }>(
      `SELECT count(*) AS n, min("step") AS lo, max("step") AS hi FROM "Metric"
       WHERE "runId" = $1 AND "key" = $2 AND "step" BETWEEN $3 AND $4`,
      [runId, key, lo, hi],
    );
    const row = stats.rows[0];
    const total = Number(row?.n ?? 0);
    if (total === 0 || row?.lo === null || row?.hi === null || row === undefined) return { total: 0, points: [] };
    const select = `"step", "value", (extract(epoch from "wallTime") * 1000)::float8 AS time`;
    if (total <= target) {
      const { rows } = await this.pool.query<{ step: number; value: number; time: number }>(
        `SELECT ${select} FROM "Metric" WHERE "runId" = $1 AND "key" = $2 AND "step" BETWEEN $3 AND $4 ORDER BY "step"`,
        [runId, key, lo, hi],
      );
      return { total, points: rows.map(toPoint) };
    }
    const buckets = Math.max(1, Math.floor(target / 4));
    const width = (row.hi - row.lo + 1) / buckets;
    const { rows } = await this.pool.query<{ step: number; value: number; time: number }>(
      `WITH p AS (
         SELECT "step", "value", "wallTime", floor(("step" - $5::int) / $6::float8)::int AS b
         FROM "Metric" WHERE "runId" = $1 AND "key" = $2 AND "step" BETWEEN $3 AND $4
       ), r AS (
         SELECT "step", "value", "wallTime",
           row_number() OVER (PARTITION BY b ORDER BY "step") AS rf,
           row_number() OVER (PARTITION BY b ORDER BY "step" DESC) AS rl,
           row_number() OVER (PARTITION BY b ORDER BY "value", "step") AS rmin,
           row_number() OVER (PARTITION BY b ORDER BY "value" DESC, "step") AS rmax
         FROM p
       )
       SELECT "step", "value", (extract(epoch from "wallTime") * 1000)::float8 AS time
       FROM r WHERE rf = 1 OR rl = 1 OR rmin = 1 OR rmax = 1 ORDER BY "step"`,
      [runId, key, lo, hi, row.lo, width],
    );
    return { total, points: rows.map(toPoint) };
  }

  /** Rows for export, keyset-paginated on (runId, key, step). */
  async *exportRows(
    runIds: readonly string[],
    keys: readonly string[] | undefined,
    pageSize = 20_000,
  ): AsyncGenerator<{ runId: string; key: string; step: number; value: number; time: Date }[]> {
    let after: [string, string, number] = ['00000000-0000-0000-0000-000000000000', '', -1];
    for (;;) {
      const { rows } = await this.pool.query<{ runId: string; key: string; step: number; value: number; time: Date }>(
        `SELECT "runId", "key", "step", "value", "wallTime" AS time FROM "Metric"
         WHERE "runId" = ANY($1::uuid[]) AND ($2::text[] IS NULL OR "key" = ANY($2::text[]))
           AND ("runId", "key", "step") > ($3::uuid, $4::text, $5::int)
         ORDER BY "runId", "key", "step" LIMIT $6`,
        [runIds, keys ?? null, after[0], after[1], after[2], pageSize],
      );
      if (rows.length === 0) return;
      yield rows;
      const last = rows[rows.length - 1]!;
      after = [last.runId, last.key, last.step];
      if (rows.length < pageSize) return;
    }
  }
}

function toPoint(r: { step: number; value: number; time: number }): SeriesPoint {
  return { step: r.step, value: r.value, time: Math.round(Number(r.time)) };
}
