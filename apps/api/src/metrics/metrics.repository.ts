import { Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { MetricPoint, MetricSummary, SeriesBand, SeriesPoint } from '@equilab/contracts';
import type { PoolClient } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
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

/** The series ids of (run, key) pairs, with each pair's 1-based position in the request. */
const SERIES_IDS_SQL = `
SELECT q.i::int4 AS i, s.id FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS q("runId", key, i)
JOIN "MetricSeries" s ON s."runId" = q."runId" AND s.key = q.key`;

/**
 * The chunks of series `ids` overlapping steps [lo, hi], in series then step order, as COPY's binary format: the
 * arrays travel in PostgreSQL's binary form with no text formatting of the numbers and no parsing back (a
 * SELECT would return them as text, or as hex-coded bytea through array_send: twice the bytes; pg's binary result
 * mode decodes every field as UTF-8 text, which mangles binary data). COPY takes no parameters: every value
 * inlined here is an integer the caller checked.
 */
const chunksCopySql = (ids: readonly number[], lo: number, hi: number) => `
COPY (SELECT c."seriesId", c.steps, c."values", c.times FROM "MetricChunk" c
      WHERE c."seriesId" = ANY('{${ids.join(',')}}'::int[]) AND c.chunk BETWEEN ${Math.floor(lo / CHUNK_STEPS)} AND ${Math.floor(hi / CHUNK_STEPS)}
      ORDER BY c."seriesId", c.chunk) TO STDOUT (FORMAT binary)`;

/** The tuples of a COPY … (FORMAT binary) stream: each a list of its fields' bytes (no NULL fields expected). */
function* copyBinaryTuples(buf: Buffer): Generator<Buffer[]> {
  // 11-byte signature, int32 flags, int32 header extension length (+ extension)
  let at = 11 + 4;
  at += 4 + buf.readInt32BE(at);
  while (at < buf.length) {
    const fields = buf.readInt16BE(at);
    at += 2;
    if (fields === -1) return;
    const tuple: Buffer[] = [];
    for (let f = 0; f < fields; f++) {
      const len = buf.readInt32BE(at);
      at += 4;
      if (len < 0) throw new Error('unexpected NULL in a metric chunk');
      tuple.push(buf.subarray(at, at + len));
      at += len;
    }
    yield tuple;
  }
}

/**
 * A one-dimensional PostgreSQL array without NULLs in binary form (array_send): int4 ndim, int4 flags, oid,
 * then per dimension int4 length and lower bound, then per element int4 byte length and the big-endian value.
 */
class BinaryArray {
  readonly length: number;
  private readonly view: DataView;
  private readonly stride: number;

  constructor(buf: Buffer, elementBytes: number) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const ndim = this.view.getInt32(0);
    this.length = ndim === 0 ? 0 : this.view.getInt32(12);
    this.stride = 4 + elementBytes;
  }
  int4(i: number): number {
    return this.view.getInt32(24 + i * this.stride);
  }
  float8(i: number): number {
    return this.view.getFloat64(24 + i * this.stride);
  }
  /** An int8 as a Number: exact below 2⁵³ (wall times in ms until 9999 are < 2⁴⁸); no BigInt allocated. */
  int8(i: number): number {
    const at = 24 + i * this.stride;
    return this.view.getInt32(at) * 4_294_967_296 + this.view.getUint32(at + 4);
  }
}

/** A series read: parallel arrays of the kept points, and the buckets' band when it was downsampled. */
export interface StoredSeries {
  total: number;
  steps: number[];
  values: number[];
  times: number[];
  band?: { fromStep: number[]; toStep: number[]; count: number[]; min: number[]; max: number[] };
}

/** A StoredSeries as the version-1 wire form's points and band objects. */
export function storedAsPoints(s: StoredSeries): { total: number; points: SeriesPoint[]; band?: SeriesBand[] } {
  const points = s.steps.map((step, i): SeriesPoint => ({ step, value: s.values[i]!, time: s.times[i]! }));
  if (!s.band) return { total: s.total, points };
  const b = s.band;
  return { total: s.total, points, band: b.fromStep.map((fromStep, i): SeriesBand => ({ fromStep, toStep: b.toStep[i]!, count: b.count[i]!, min: b.min[i]!, max: b.max[i]! })) };
}

/**
 * Downsampling of one series' points (in step order): when there are more than `target`, the stored step range
 * [first, last] is cut into floor(target/4) equal buckets (bucket = floor((step − first) / ((last − first + 1) /
 * buckets))) and each non-empty bucket keeps its first, minimum, maximum and last point (the smallest step among
 * equal extremes; a point that is two of them is kept once) and a band entry: its step range, count, min and max
 * value. Otherwise every point is kept. One pass; no sort (the points come sorted).
 */
export function downsample(steps: ArrayLike<number>, values: ArrayLike<number>, times: ArrayLike<number>, target: number): StoredSeries {
  const n = steps.length;
  if (n <= target) return { total: n, steps: Array.from(steps), values: Array.from(values), times: Array.from(times) };
  const buckets = Math.max(1, Math.floor(target / 4));
  const lo = steps[0]!;
  const width = (steps[n - 1]! - lo + 1) / buckets;
  const out: StoredSeries = { total: n, steps: [], values: [], times: [], band: { fromStep: [], toStep: [], count: [], min: [], max: [] } };
  const band = out.band!;
  const keep = (picks: number[]) => {
    picks.sort((x, y) => x - y);
    let last = -1;
    for (const i of picks) {
      if (i === last) continue;
      out.steps.push(steps[i]!);
      out.values.push(values[i]!);
      out.times.push(times[i]!);
      last = i;
    }
  };
  let start = 0;
  while (start < n) {
    const b = Math.floor((steps[start]! - lo) / width);
    let min = start;
    let max = start;
    let end = start + 1;
    for (; end < n && Math.floor((steps[end]! - lo) / width) === b; end++) {
      if (values[end]! < values[min]!) min = end;
      if (values[end]! > values[max]!) max = end;
    }
    band.fromStep.push(steps[start]!);
    band.toStep.push(steps[end - 1]!);
    band.count.push(end - start);
    band.min.push(values[min]!);
    band.max.push(values[max]!);
    keep([start, min, max, end - 1]);
    start = end;
  }
  return out;
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

  /** Every (run, key) series of `runIds`, in the order of runIds, then by key. */
  async seriesOf(runIds: readonly string[]): Promise<{ runId: string; key: string }[]> {
    const { rows } = await this.pool.query<{ runId: string; key: string }>(
      `SELECT s."runId", s.key FROM unnest($1::uuid[]) WITH ORDINALITY AS q("runId", i) JOIN "MetricSeries" s ON s."runId" = q."runId" ORDER BY q.i, s.key`,
      [runIds],
    );
    return rows;
  }

  /** Latest (highest step) point of every key of a run (the last chunk's generated columns: no array read). */
  async latest(runId: string): Promise<Record<string, SeriesPoint>> {
    const { rows } = await this.pool.query<{ key: string; step: number; value: number; time: string }>(
      `SELECT DISTINCT ON (s.key) s.key, c."lastStep" AS step, c."last" AS value, c."lastTime" AS time
       FROM "MetricSeries" s JOIN "MetricChunk" c ON c."seriesId" = s.id WHERE s."runId" = $1 AND c."count" > 0 ORDER BY s.key, c.chunk DESC`,
      [runId],
    );
    const out: Record<string, SeriesPoint> = {};
    for (const r of rows) out[r.key] = { step: r.step, value: r.value, time: Number(r.time) };
    return out;
  }

  /**
   * Count, min, max and last point of every key of a run, from the chunks' generated statistics columns (no array
   * is detoasted: the earlier GROUP BY over unnest()ed values cost ~0.6 µs a point, 60 ms a run of 10⁵ points).
   */
  async summary(runId: string): Promise<MetricSummary[]> {
    const { rows } = await this.pool.query<MetricSummary>(
      `SELECT s.key, sum(c."count")::int AS count, min(c."min") AS min, max(c."max") AS max,
              (array_agg(c."last" ORDER BY c.chunk DESC))[1] AS last, (array_agg(c."lastStep" ORDER BY c.chunk DESC))[1] AS "lastStep"
       FROM "MetricSeries" s JOIN "MetricChunk" c ON c."seriesId" = s.id
       WHERE s."runId" = $1 AND c."count" > 0 GROUP BY s.key ORDER BY s.key`,
      [runId],
    );
    return rows.map((r) => ({ key: r.key, count: r.count, min: r.min, max: r.max, last: r.last, lastStep: r.lastStep }));
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
    return pairs.map((p) => found.get(pairKey(p.runId, p.key)) ?? { total: 0, steps: [], values: [], times: [] });
  }

  /** The chunks of series `ids` overlapping [lo, hi] (COPY binary), per series id in step order: steps, values, times. */
  private async chunksOf(ids: readonly number[], lo: number, hi: number): Promise<Map<number, (readonly [BinaryArray, BinaryArray, BinaryArray])[]>> {
    const bySeries = new Map<number, (readonly [BinaryArray, BinaryArray, BinaryArray])[]>();
    if (ids.length === 0) return bySeries;
    const client = await this.pool.connect();
    let data: Buffer;
    let failed: Error | undefined;
    try {
      const parts: Buffer[] = [];
      const stream = client.query(copyTo(chunksCopySql(ids, lo, hi)));
      for await (const part of stream) parts.push(part as Buffer);
      data = Buffer.concat(parts);
    } catch (error) {
      failed = error as Error;
      throw error;
    } finally {
      client.release(failed);
    }
    for (const [sid, steps, values, times] of copyBinaryTuples(data)) {
      const id = sid!.readInt32BE(0);
      let list = bySeries.get(id);
      if (!list) bySeries.set(id, (list = []));
      list.push([new BinaryArray(steps!, 4), new BinaryArray(values!, 8), new BinaryArray(times!, 8)]);
    }
    return bySeries;
  }

  private async buckets(pairs: readonly { runId: string; key: string }[], range: SeriesRange, target: number): Promise<Map<string, StoredSeries>> {
    const lo = range.fromStep ?? 0;
    const hi = range.toStep ?? 2_147_483_647;
    if (!Number.isInteger(lo) || !Number.isInteger(hi)) throw new Error('step range must be integers');
    const { rows: found } = await this.pool.query<{ i: number; id: number }>(SERIES_IDS_SQL, [pairs.map((p) => p.runId), pairs.map((p) => p.key)]);
    const out = new Map<string, StoredSeries>();
    if (found.length === 0) return out;
    const bySeries = await this.chunksOf([...new Set(found.map((r) => r.id))], lo, hi);
    for (const { i, id } of found) {
      const chunks = bySeries.get(id);
      if (!chunks) continue;
      const pair = pairs[i - 1]!;
      const k = pairKey(pair.runId, pair.key);
      if (out.has(k)) continue;
      const arrays = chunks;
      const size = arrays.reduce((n, [st]) => n + st.length, 0);
      // typed arrays of the series' points in range (no per-point garbage)
      const steps = new Int32Array(size);
      const values = new Float64Array(size);
      const times = new Float64Array(size);
      let n = 0;
      for (const [st, va, ti] of arrays) {
        for (let j = 0; j < st.length; j++) {
          const step = st.int4(j);
          if (step < lo || step > hi) continue;
          steps[n] = step;
          values[n] = va.float8(j);
          times[n++] = ti.int8(j);
        }
      }
      if (n > 0) out.set(k, downsample(steps.subarray(0, n), values.subarray(0, n), times.subarray(0, n), target));
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
