import { Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { MetricPoint, MetricSummary, SeriesBand, SeriesPoint } from '@equilab/contracts';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { PgPoolService } from '../database/pg-pool.service';

/** Steps per MetricChunk row: a chunk holds the points of steps [chunk·CHUNK_STEPS, (chunk+1)·CHUNK_STEPS). */
export const CHUNK_STEPS = 1024;
/** Batches of at least this many points go through COPY into the staging table; smaller ones as array parameters. */
export const COPY_MIN_POINTS = 200;
/** Most series (run × key) one downsampling query reads; compare splits larger requests. */
const SERIES_PER_QUERY = 25;
/** Concurrent downsampling queries of one compare call. */
const COMPARE_CONCURRENCY = 3;
/** Bound of the (run, key) → series id cache. */
const SERIES_CACHE_MAX = 100_000;

export interface SeriesRange {
  readonly fromStep?: number | undefined;
  readonly toStep?: number | undefined;
}

export interface StoredSeries {
  total: number;
  points: SeriesPoint[];
  band?: SeriesBand[];
}

/**
 * The set-based upsert of a batch into MetricChunk. `source` yields (sid, step, value, time, ord) rows: the
 * COPY staging table or unnest()ed parameters. Within the batch the last point of a (series, step) wins (`ord`);
 * new chunks are inserted; an existing chunk is merged row-locked by ON CONFLICT (so concurrent writers of one
 * series never lose each other's points): a stored step keeps its wall time when the value is unchanged, takes the
 * new value and time otherwise; new steps (late points included) are merged in step order. A chunk where every
 * sent point is already stored with that value is not rewritten.
 */
const mergeSql = (source: string) => `
WITH src AS (
  SELECT DISTINCT ON (sid, step) sid, step, value, time FROM (${source}) x ORDER BY sid, step, ord DESC
), grouped AS (
  SELECT sid, step / ${CHUNK_STEPS} AS chunk, array_agg(step ORDER BY step) AS steps, array_agg(value ORDER BY step) AS vals,
         array_agg(time ORDER BY step) AS times
  FROM src GROUP BY sid, step / ${CHUNK_STEPS}
)
INSERT INTO "MetricChunk" AS mc ("seriesId", "chunk", "steps", "values", "times")
SELECT sid, chunk, steps, vals, times FROM grouped
ON CONFLICT ("seriesId", "chunk") DO UPDATE SET ("steps", "values", "times") = (
  SELECT array_agg(m.step ORDER BY m.step), array_agg(m.value ORDER BY m.step), array_agg(m.time ORDER BY m.step)
  FROM (
    SELECT coalesce(n.step, o.step) AS step, coalesce(n.value, o.value) AS value,
           CASE WHEN n.step IS NULL OR o.value = n.value THEN o.time ELSE n.time END AS time
    FROM unnest(mc."steps", mc."values", mc."times") AS o(step, value, time)
    FULL JOIN unnest(EXCLUDED."steps", EXCLUDED."values", EXCLUDED."times") AS n(step, value, time) ON o.step = n.step
  ) m
)
WHERE EXISTS (
  SELECT 1 FROM unnest(EXCLUDED."steps", EXCLUDED."values") AS n(step, value)
  LEFT JOIN unnest(mc."steps", mc."values") AS o(step, value) ON o.step = n.step
  WHERE o.step IS NULL OR o.value IS DISTINCT FROM n.value
)`;

const MERGE_FROM_PARAMS = mergeSql(
  `SELECT * FROM unnest($1::int[], $2::int[], $3::float8[], $4::int8[]) WITH ORDINALITY AS u(sid, step, value, time, ord)`,
);
const MERGE_FROM_STAGE = mergeSql(`SELECT sid, step, value, time, ord FROM metric_stage`);
const CREATE_STAGE = `CREATE TEMP TABLE IF NOT EXISTS metric_stage (sid int NOT NULL, step int NOT NULL, value float8 NOT NULL, time int8 NOT NULL, ord int NOT NULL) ON COMMIT DELETE ROWS`;

/**
 * The downsampling read of many series at once. Per series: the points in [lo, hi]; when there are more than
 * `target`, the stored step range is cut into floor(target/4) buckets and each bucket yields its first, last,
 * minimum and maximum point (min()/max() of arrays pick them in one hash aggregation, no sort) plus its count
 * and value range for the band; otherwise every point is its own bucket.
 */
const BUCKETS_SQL = `
WITH sel AS (
  SELECT s.id AS sid, s."runId", s.key FROM "MetricSeries" s
  JOIN unnest($1::uuid[], $2::text[]) AS q("runId", key) ON s."runId" = q."runId" AND s.key = q.key
), p AS MATERIALIZED (
  SELECT sel.sid, u.step, u.value, u.time::float8 AS time
  FROM sel JOIN "MetricChunk" c ON c."seriesId" = sel.sid AND c.chunk BETWEEN $3::int / ${CHUNK_STEPS} AND $4::int / ${CHUNK_STEPS}
  CROSS JOIN LATERAL unnest(c."steps", c."values", c."times") AS u(step, value, time)
  WHERE u.step BETWEEN $3::int AND $4::int
), st AS (
  SELECT sid, count(*) AS n, min(step) AS lo, max(step) AS hi FROM p GROUP BY sid
), b AS (
  SELECT p.sid, st.n,
         CASE WHEN st.n <= $5::int THEN p.step ELSE floor((p.step - st.lo) / ((st.hi - st.lo + 1) / $6::float8))::int END AS b,
         p.step, p.value, p.time
  FROM p JOIN st USING (sid)
), g AS (
  SELECT sid, n, b, count(*) AS c, min(value) AS vmin, max(value) AS vmax,
         min(ARRAY[step::float8, value, time]) AS f, max(ARRAY[step::float8, value, time]) AS l,
         min(ARRAY[value, step::float8, time]) AS mn, max(ARRAY[value, -step::float8, time]) AS mx
  FROM b GROUP BY sid, n, b
)
SELECT sel."runId", sel.key, g.n::int AS n, g.c::int AS c, g.vmin, g.vmax,
       g.f[1]::int AS fs, g.f[2] AS fv, g.f[3] AS ft, g.l[1]::int AS ls, g.l[2] AS lv, g.l[3] AS lt,
       g.mn[2]::int AS mins, g.mn[1] AS minv, g.mn[3] AS mint, (-g.mx[2])::int AS maxs, g.mx[1] AS maxv, g.mx[3] AS maxt
FROM g JOIN sel USING (sid) ORDER BY g.sid, g.b`;

interface BucketRow {
  runId: string;
  key: string;
  n: number;
  c: number;
  vmin: number;
  vmax: number;
  fs: number;
  fv: number;
  ft: number;
  ls: number;
  lv: number;
  lt: number;
  mins: number;
  minv: number;
  mint: number;
  maxs: number;
  maxv: number;
  maxt: number;
}

const pairKey = (runId: string, key: string) => `${runId}\u0000${key}`;

/** A COPY text-format field of a number (ints and float8: JavaScript's shortest round-trip form parses exactly). */
const copyLine = (sid: number, p: MetricPoint, ord: number) => `${sid}\t${p.step}\t${p.value}\t${p.time}\t${ord}\n`;

/**
 * Metric storage through plain pg (docs/metric-storage.md): a key dictionary (MetricSeries) and chunks of
 * parallel arrays (MetricChunk). Writes: COPY of a batch into a per-connection temporary staging table and one
 * set-based merge (small batches skip the staging table and send the same rows as array parameters).
 */
@Injectable()
export class MetricsRepository {
  constructor(private readonly pool: PgPoolService) {}

  /** (run, key) → MetricSeries.id; ids never change while the run exists (a deleted run's chunk write fails its FK). */
  private readonly seriesCache = new Map<string, number>();
  /** Pool clients that already hold the temporary staging table. */
  private readonly staged = new WeakSet<PoolClient>();

  /** The series ids of `keys` of a run, creating the missing dictionary rows. */
  private async seriesIds(runId: string, keys: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    let missing: string[] = [];
    for (const key of keys) {
      const id = this.seriesCache.get(pairKey(runId, key));
      if (id === undefined) missing.push(key);
      else out.set(key, id);
    }
    if (missing.length === 0) return out;
    const select = async (wanted: string[]) => {
      const { rows } = await this.pool.query<{ id: number; key: string }>(`SELECT id, key FROM "MetricSeries" WHERE "runId" = $1 AND key = ANY($2::text[])`, [
        runId,
        wanted,
      ]);
      for (const r of rows) out.set(r.key, r.id);
      return wanted.filter((k) => !out.has(k));
    };
    missing = await select(missing);
    if (missing.length > 0) {
      await this.pool.query(`INSERT INTO "MetricSeries" ("runId", key) SELECT $1, unnest($2::text[]) ON CONFLICT ("runId", key) DO NOTHING`, [runId, missing]);
      missing = await select(missing);
      if (missing.length > 0) throw new Error(`metric series not created: ${missing.join(', ')}`);
    }
    if (this.seriesCache.size + out.size > SERIES_CACHE_MAX) this.seriesCache.clear();
    for (const [key, id] of out) this.seriesCache.set(pairKey(runId, key), id);
    return out;
  }

  /** Upserts a batch of a run's points (any size; the API caps a request at MAX_METRIC_BATCH). Returns the chunks written. */
  async upsert(runId: string, points: readonly MetricPoint[]): Promise<number> {
    if (points.length === 0) return 0;
    const ids = await this.seriesIds(runId, [...new Set(points.map((p) => p.key))]);
    const sid = (p: MetricPoint) => ids.get(p.key)!;
    if (points.length < COPY_MIN_POINTS) {
      const result = await this.pool.query(MERGE_FROM_PARAMS, [points.map(sid), points.map((p) => p.step), points.map((p) => p.value), points.map((p) => p.time)]);
      return result.rowCount ?? 0;
    }
    const client = await this.pool.connect();
    let failed: Error | undefined;
    try {
      await client.query('BEGIN');
      const fresh = !this.staged.has(client);
      if (fresh) await client.query(CREATE_STAGE);
      const lines = function* () {
        for (let i = 0; i < points.length; i += 2_000) {
          let chunk = '';
          for (let j = i; j < Math.min(points.length, i + 2_000); j++) chunk += copyLine(sid(points[j]!), points[j]!, j);
          yield chunk;
        }
      };
      await pipeline(Readable.from(lines()), client.query(copyFrom('COPY metric_stage (sid, step, value, time, ord) FROM STDIN')));
      const result = await client.query(MERGE_FROM_STAGE);
      await client.query('COMMIT');
      if (fresh) this.staged.add(client);
      return result.rowCount ?? 0;
    } catch (error) {
      failed = error as Error;
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      // a connection in an unknown state (COPY interrupted) is discarded, not reused
      client.release(failed && !(failed as { code?: string }).code ? failed : undefined);
    }
  }

  /** Latest (highest step) point of every key of a run. */
  async latest(runId: string): Promise<Record<string, SeriesPoint>> {
    const { rows } = await this.pool.query<{ key: string; step: number; value: number; time: string }>(
      `SELECT DISTINCT ON (s.key) s.key, c.steps[cardinality(c.steps)] AS step, c."values"[cardinality(c.steps)] AS value,
              c.times[cardinality(c.steps)] AS time
       FROM "MetricSeries" s JOIN "MetricChunk" c ON c."seriesId" = s.id WHERE s."runId" = $1 ORDER BY s.key, c.chunk DESC`,
      [runId],
    );
    const out: Record<string, SeriesPoint> = {};
    for (const r of rows) out[r.key] = { step: r.step, value: r.value, time: Number(r.time) };
    return out;
  }

  async summary(runId: string): Promise<MetricSummary[]> {
    const { rows } = await this.pool.query<{ key: string; count: number; min: number; max: number }>(
      `SELECT s.key, count(*)::int AS count, min(u.value) AS min, max(u.value) AS max
       FROM "MetricSeries" s JOIN "MetricChunk" c ON c."seriesId" = s.id CROSS JOIN LATERAL unnest(c."values") AS u(value)
       WHERE s."runId" = $1 GROUP BY s.key ORDER BY s.key`,
      [runId],
    );
    const latest = await this.latest(runId);
    return rows.flatMap((r) => {
      const last = latest[r.key];
      return last ? [{ key: r.key, count: r.count, min: r.min, max: r.max, last: last.value, lastStep: last.step }] : [];
    });
  }

  /** One series, downsampled to about `target` points when it has more (see BUCKETS_SQL). */
  async series(runId: string, key: string, range: SeriesRange, target: number): Promise<StoredSeries> {
    return (await this.seriesMany([{ runId, key }], range, target))[0]!;
  }

  /** Many series (run × key) in request order, downsampled alike; at most COMPARE_CONCURRENCY queries at a time. */
  async seriesMany(pairs: readonly { runId: string; key: string }[], range: SeriesRange, target: number): Promise<StoredSeries[]> {
    const groups: { runId: string; key: string }[][] = [];
    for (let i = 0; i < pairs.length; i += SERIES_PER_QUERY) groups.push(pairs.slice(i, i + SERIES_PER_QUERY));
    const found = new Map<string, StoredSeries>();
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < groups.length; i = next++) {
        for (const [k, s] of await this.buckets(groups[i]!, range, target)) found.set(k, s);
      }
    };
    await Promise.all(Array.from({ length: Math.min(COMPARE_CONCURRENCY, groups.length) }, worker));
    return pairs.map((p) => found.get(pairKey(p.runId, p.key)) ?? { total: 0, points: [] });
  }

  private async buckets(pairs: readonly { runId: string; key: string }[], range: SeriesRange, target: number): Promise<Map<string, StoredSeries>> {
    const lo = range.fromStep ?? 0;
    const hi = range.toStep ?? 2_147_483_647;
    const buckets = Math.max(1, Math.floor(target / 4));
    const { rows } = await this.pool.query<BucketRow>(BUCKETS_SQL, [pairs.map((p) => p.runId), pairs.map((p) => p.key), lo, hi, target, buckets]);
    const out = new Map<string, StoredSeries>();
    for (const r of rows) {
      const k = pairKey(r.runId, r.key);
      let s = out.get(k);
      if (!s) {
        s = r.n > target ? { total: r.n, points: [], band: [] } : { total: r.n, points: [] };
        out.set(k, s);
      }
      if (!s.band) {
        s.points.push({ step: r.fs, value: r.fv, time: r.ft });
        continue;
      }
      s.band.push({ fromStep: r.fs, toStep: r.ls, count: r.c, min: r.vmin, max: r.vmax });
      const picks: SeriesPoint[] = [
        { step: r.fs, value: r.fv, time: r.ft },
        { step: r.mins, value: r.minv, time: r.mint },
        { step: r.maxs, value: r.maxv, time: r.maxt },
        { step: r.ls, value: r.lv, time: r.lt },
      ];
      picks.sort((a, b) => a.step - b.step);
      let last = -1;
      for (const p of picks) {
        if (p.step === last) continue;
        s.points.push(p);
        last = p.step;
      }
    }
    return out;
  }

  /** Rows for export in (run, key, step) order, a series' chunks read a page at a time. */
  async *exportRows(
    runIds: readonly string[],
    keys: readonly string[] | undefined,
    pageSize = 20_000,
  ): AsyncGenerator<{ runId: string; key: string; step: number; value: number; time: Date }[]> {
    const { rows: series } = await this.pool.query<{ id: number; runId: string; key: string }>(
      `SELECT id, "runId", key FROM "MetricSeries" WHERE "runId" = ANY($1::uuid[]) AND ($2::text[] IS NULL OR key = ANY($2::text[])) ORDER BY "runId", key`,
      [runIds, keys ?? null],
    );
    const chunksPerPage = Math.max(1, Math.floor(pageSize / CHUNK_STEPS));
    for (const s of series) {
      let after = -1;
      for (;;) {
        const { rows } = await this.pool.query<{ chunk: number; step: number; value: number; time: string }>(
          `SELECT c.chunk, u.step, u.value, u.time
           FROM (SELECT * FROM "MetricChunk" WHERE "seriesId" = $1 AND chunk > $2 ORDER BY chunk LIMIT $3) c
           CROSS JOIN LATERAL unnest(c.steps, c."values", c.times) WITH ORDINALITY AS u(step, value, time, i)
           ORDER BY c.chunk, u.i`,
          [s.id, after, chunksPerPage],
        );
        if (rows.length === 0) break;
        yield rows.map((r) => ({ runId: s.runId, key: s.key, step: r.step, value: r.value, time: new Date(Number(r.time)) }));
        after = rows[rows.length - 1]!.chunk;
      }
    }
  }
}
