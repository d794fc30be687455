import { z } from 'zod';
import { int4Query, NUL_FREE, NUL_MESSAGE } from './api/bounds';
import { metricPointSchema } from './training';

/** Largest batch `POST /api/runs/:id/metrics` accepts; more points → 413. */
export const MAX_METRIC_BATCH = 10_000;

/** `POST /api/runs/:id/metrics` body. Points are upserted on (run, key, step): re-sending a point changes
 * nothing, a late or out-of-order point lands at its step, a new value for a stored step replaces it. */
export const metricBatchSchema = z.strictObject({ points: z.array(metricPointSchema).min(1) });
export type MetricBatch = z.infer<typeof metricBatchSchema>;
export const metricBatchResultSchema = z.object({ accepted: z.number().int() });

const keysParam = z.preprocess(
  (v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : v),
  z.array(z.string().min(1).max(200).regex(NUL_FREE, NUL_MESSAGE)).min(1).max(100),
);
const idsParam = z.preprocess(
  (v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : v),
  z.array(z.string().uuid()).min(1).max(200),
);

/**
 * Wire format of a series read: `points` (the default, version 1: an array of {step, value, time} objects and
 * `band` of objects) or `columnar` (version 2: parallel arrays, delta-coded steps and times; see
 * columnarSeriesSchema). Both carry the same numbers; columnar is about a third of the bytes and parses faster.
 */
export const seriesFormatSchema = z.enum(['points', 'columnar']).default('points');
export type SeriesFormat = z.output<typeof seriesFormatSchema>;

/** `GET /api/runs/:id/metrics?keys=a,b&fromStep&toStep&points=1000&format=points|columnar` — series downsampled keeping extremes. */
export const seriesQuerySchema = z.object({
  format: seriesFormatSchema,
  keys: keysParam,
  /** 0 … 2^31 − 1, as metric steps. */
  fromStep: int4Query().optional(),
  toStep: int4Query().optional(),
  /** Target number of points per series (the server keeps each bucket's first, min, max and last). */
  points: z.coerce.number().int().min(2).max(20_000).default(1000),
});
export type SeriesQuery = z.input<typeof seriesQuerySchema>;

/** A series point: step, value, wall time (ms). */
export const seriesPointSchema = z.object({ step: z.number().int(), value: z.number(), time: z.number() });
export type SeriesPoint = z.infer<typeof seriesPointSchema>;

/** One downsampling bucket of a series: steps fromStep..toStep (stored points' extremes), count points, min/max value. */
export const seriesBandSchema = z.object({
  fromStep: z.number().int(),
  toStep: z.number().int(),
  count: z.number().int(),
  min: z.number(),
  max: z.number(),
});
export type SeriesBand = z.infer<typeof seriesBandSchema>;

export const seriesSchema = z.object({
  runId: z.string().uuid(),
  key: z.string(),
  /** Points stored in the requested step range before downsampling. */
  total: z.number().int(),
  points: z.array(seriesPointSchema),
  /**
   * Present when the series was downsampled (total > points asked for): one entry per bucket, in step order, with
   * the bucket's step range and the minimum and maximum value of every stored point in it (a chart draws them as a
   * band behind the line; `points` holds each bucket's first, min, max and last point). Buckets with no point are
   * left out; a zoom asks again with fromStep/toStep and gets buckets of the visible range.
   */
  band: z.array(seriesBandSchema).optional(),
});
export type Series = z.infer<typeof seriesSchema>;
export const seriesResponseSchema = z.object({ series: z.array(seriesSchema) });
export type SeriesResponse = z.infer<typeof seriesResponseSchema>;

/**
 * A series in the columnar format (`format=columnar`): the same numbers as seriesSchema as parallel arrays.
 * `steps`, `times` and `band.fromStep` are delta-coded — the first entry absolute, each next one the difference
 * from the previous entry — and `band.toStep[i]` is given as toStep − fromStep of bucket i (decodeColumnarSeries
 * undoes both). `values`, `band.min` and `band.max` are the stored float8 values, unrounded.
 */
export const columnarSeriesSchema = z.object({
  runId: z.string().uuid(),
  key: z.string(),
  total: z.number().int(),
  steps: z.array(z.number().int()),
  values: z.array(z.number()),
  times: z.array(z.number()),
  band: z
    .object({
      fromStep: z.array(z.number().int()),
      toStep: z.array(z.number().int()),
      count: z.array(z.number().int()),
      min: z.array(z.number()),
      max: z.array(z.number()),
    })
    .optional(),
});
export type ColumnarSeries = z.infer<typeof columnarSeriesSchema>;
export const columnarSeriesResponseSchema = z.object({ format: z.literal('columnar'), series: z.array(columnarSeriesSchema) });
export type ColumnarSeriesResponse = z.infer<typeof columnarSeriesResponseSchema>;
/** A series read's response in either format. */
export const anySeriesResponseSchema = z.union([seriesResponseSchema, columnarSeriesResponseSchema]);

/** Undoes a running sum in place (delta-coded → absolute). */
function prefixSum(xs: number[]): number[] {
  for (let i = 1; i < xs.length; i++) xs[i]! += xs[i - 1]!;
  return xs;
}
/** Delta-codes absolute values (the inverse of prefixSum). */
function deltas(xs: readonly number[]): number[] {
  return xs.map((x, i) => (i === 0 ? x : x - xs[i - 1]!));
}

/** A series in the columnar wire form (encodeColumnarSeries ∘ decodeColumnarSeries is the identity). */
export function encodeColumnarSeries(s: {
  runId: string;
  key: string;
  total: number;
  steps: readonly number[];
  values: number[];
  times: readonly number[];
  band?: { fromStep: readonly number[]; toStep: readonly number[]; count: number[]; min: number[]; max: number[] } | undefined;
}): ColumnarSeries {
  const out: ColumnarSeries = { runId: s.runId, key: s.key, total: s.total, steps: deltas(s.steps), values: s.values, times: deltas(s.times) };
  if (s.band) {
    const from = s.band.fromStep;
    out.band = { fromStep: deltas(from), toStep: s.band.toStep.map((t, i) => t - from[i]!), count: s.band.count, min: s.band.min, max: s.band.max };
  }
  return out;
}

/** A columnar series back in absolute parallel arrays (copies; the argument is left as it is). */
export function decodeColumnarSeries(s: ColumnarSeries): {
  runId: string;
  key: string;
  total: number;
  steps: number[];
  values: number[];
  times: number[];
  band?: { fromStep: number[]; toStep: number[]; count: number[]; min: number[]; max: number[] };
} {
  const out: ReturnType<typeof decodeColumnarSeries> = { runId: s.runId, key: s.key, total: s.total, steps: prefixSum([...s.steps]), values: s.values, times: prefixSum([...s.times]) };
  if (s.band) {
    const fromStep = prefixSum([...s.band.fromStep]);
    out.band = { fromStep, toStep: s.band.toStep.map((d, i) => fromStep[i]! + d), count: s.band.count, min: s.band.min, max: s.band.max };
  }
  return out;
}

/** A columnar series as the version-1 Series (point and band objects). */
export function columnarToSeries(s: ColumnarSeries): Series {
  const d = decodeColumnarSeries(s);
  const out: Series = { runId: d.runId, key: d.key, total: d.total, points: d.steps.map((step, i) => ({ step, value: d.values[i]!, time: d.times[i]! })) };
  if (d.band) {
    const b = d.band;
    out.band = b.fromStep.map((fromStep, i) => ({ fromStep, toStep: b.toStep[i]!, count: b.count[i]!, min: b.min[i]!, max: b.max[i]! }));
  }
  return out;
}

/** `GET /api/runs/:id/metrics/summary` */
export const metricSummarySchema = z.object({
  key: z.string(),
  count: z.number().int(),
  lastStep: z.number().int(),
  last: z.number(),
  min: z.number(),
  max: z.number(),
});
export type MetricSummary = z.infer<typeof metricSummarySchema>;
export const metricSummaryResponseSchema = z.object({ runId: z.string().uuid(), metrics: z.array(metricSummarySchema) });
export type MetricSummaryResponse = z.infer<typeof metricSummaryResponseSchema>;

/** `GET /api/metrics/compare?runIds=a,b&keys=x,y&points=500&format=points|columnar` — many runs × keys in one call. */
export const compareQuerySchema = z.object({
  format: seriesFormatSchema,
  runIds: idsParam,
  /** Left out: every key the runs have (runs × keys must stay ≤ 2,000 series; more → 400 on `keys`). */
  keys: keysParam.optional(),
  /** 0 … 2^31 − 1, as metric steps. */
  fromStep: int4Query().optional(),
  toStep: int4Query().optional(),
  points: z.coerce.number().int().min(2).max(5_000).default(500),
});
export type CompareQuery = z.input<typeof compareQuerySchema>;

/**
 * `GET /api/runs/:id/metrics/export?format=csv|jsonl|tfevents` and `GET /api/sweeps/:id/metrics/export?format=csv|jsonl`:
 * long format, columns `run,key,step,value,time` (time = ISO 8601 UTC); CSV has a header row. `tfevents` (runs
 * only): one TensorBoard event file of the run's scalars (float32), tag = key, wall time = time.
 */
export const exportQuerySchema = z.object({
  format: z.enum(['csv', 'jsonl', 'tfevents']).default('csv'),
  keys: keysParam.optional(),
});
export type ExportQuery = z.input<typeof exportQuerySchema>;
export const EXPORT_COLUMNS = ['run', 'key', 'step', 'value', 'time'] as const;

/**
 * A run's system metrics, stored as ordinary series beside the training metrics (step = the training step
 * they were sampled at) and posted by the runner with the run's metrics:
 * - cpuPercent: the training process's CPU time over wall time since the last sample, ×100 (above 100 with
 *   several threads); rssMb: its resident set size;
 * - tfjsMemoryMb / tfjsTensors: TensorFlow.js' `tf.memory()` (bytes held by tensors, live tensor count: flat
 *   across steps when every tensor is freed);
 * - dataWaitFraction: share of the training loop's wall time spent waiting for the next batch since the last
 *   sample (near 1: input-bound, the data loader is the bottleneck);
 * - gpuUtilizationPercent / gpuMemoryMb: NVML through `nvidia-smi` (mean over the GPUs, memory used summed),
 *   only on machines where nvidia-smi answers; absent otherwise.
 */
export const systemMetricKeys = {
  cpuPercent: 'system/cpu_percent',
  rssMb: 'system/rss_mb',
  tfjsMemoryMb: 'system/tfjs_memory_mb',
  tfjsTensors: 'system/tfjs_tensors',
  dataWaitFraction: 'system/data_wait_fraction',
  gpuUtilizationPercent: 'system/gpu_utilization_percent',
  gpuMemoryMb: 'system/gpu_memory_mb',
} as const;
export type SystemMetricKey = (typeof systemMetricKeys)[keyof typeof systemMetricKeys];
