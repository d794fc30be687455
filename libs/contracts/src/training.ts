import { z } from 'zod';
import { int4, MAX_PATH_LENGTH, text, wallTimeMs } from './api/bounds';

/** TensorFlow.js backends a run can ask for (see libs/sie `selectBackend`). */
export const backendNameSchema = z.enum(['auto', 'wasm', 'cpu', 'tensorflow', 'tensorflow-gpu']);
export type BackendName = z.infer<typeof backendNameSchema>;

/** One metric point, as the trainer emits it and the API stores it; `(run, key, step)` is unique. */
export const metricPointSchema = z.strictObject({
  /** 1 … 200 characters, no NUL. */
  key: text(200),
  /** 0 … 2^31 − 1 (PostgreSQL int4). */
  step: int4(),
  value: z.number(),
  /** Wall time, milliseconds since the epoch, 1970-01-01 … 9999-12-31 (`MAX_WALL_TIME_MS`). */
  time: wallTimeMs(),
});
export type MetricPoint = z.infer<typeof metricPointSchema>;

/**
 * How often a trainer reports metrics (the reference's `--log-freq-time`): at every `steps`-th global step and
 * at least every `seconds` seconds, and always at the last step. The defaults are `equilab train`'s.
 */
export const logEverySchema = z.strictObject({
  steps: z
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .default(10)
    .describe('Metrics every N global steps (0: by time only).'),
  seconds: z
    .number()
    .min(0)
    .max(86_400)
    .default(30)
    .describe('…and at least every T seconds (0: at every step).'),
});
export type LogEvery = z.output<typeof logEverySchema>;

/** Training or evaluation progress; the counts are 0 … 2^31 − 1 (PostgreSQL int4). */
export const progressSchema = z.strictObject({
  step: int4(),
  totalSteps: int4(),
  epoch: int4(),
  totalEpochs: int4(),
  imagesPerSecond: z.number().min(0),
  etaSeconds: z.number().min(0).nullable(),
});
export type Progress = z.infer<typeof progressSchema>;

/** Where a run executes: recorded with the run. */
export const deviceInfoSchema = z.object({
  backend: z.string(),
  threads: z.number().int().min(0).nullable(),
  device: z.string(),
});
export type DeviceInfo = z.infer<typeof deviceInfoSchema>;

/** A file a run produced (checkpoint, final backbone weights, evaluation output). */
export const artifactSchema = z.strictObject({
  kind: z.enum(['checkpoint', 'final-weights', 'evaluation', 'other']),
  /** Path relative to the artifact store's root: 1 … 512 characters (`MAX_PATH_LENGTH`), no NUL. */
  path: text(MAX_PATH_LENGTH),
  /** Bytes, 0 … 2^53 − 1 (stored as bigint). */
  size: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** 0 … 2^31 − 1 (PostgreSQL int4). */
  step: int4().nullable(),
});
export type Artifact = z.infer<typeof artifactSchema>;
