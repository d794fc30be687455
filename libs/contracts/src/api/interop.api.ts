import { z } from 'zod';
import { backendNameSchema } from '../training';
import { MAX_LABEL_LENGTH, MAX_PATH_LENGTH, nameText, NUL_FREE, NUL_MESSAGE, text } from './bounds';

/**
 * Interop with the reference's tools (libs/interop): TensorBoard event files in, backbone weights out in the
 * reference's PyTorch naming.
 */

/** `GET /api/runs/:id/weights?format=…` and `equilab export weights --format …`. */
export const referenceWeightsFormats = ['pth-state-dict', 'safetensors-reference'] as const;
export const referenceWeightsFormatSchema = z.enum(referenceWeightsFormats);
export type ReferenceWeightsFormatName = z.infer<typeof referenceWeightsFormatSchema>;
export const weightsQuerySchema = z.object({ format: referenceWeightsFormatSchema.default('pth-state-dict') });
export type WeightsQuery = z.input<typeof weightsQuerySchema>;

/** Bounds of one `POST /api/imports/tensorboard` (one run): bytes of all its files, number of files. */
export const MAX_TENSORBOARD_UPLOAD_BYTES = 64 * 1024 * 1024;
export const MAX_TENSORBOARD_FILES = 64;

/**
 * `POST /api/imports/tensorboard`, multipart/form-data: these text fields and the run's event files as `files`
 * (1…MAX_TENSORBOARD_FILES, MAX_TENSORBOARD_UPLOAD_BYTES in all), read in file-name order as TensorBoard does.
 */
export const tensorboardImportFieldsSchema = z.object({
  projectId: z.string().uuid(),
  /** Run name: the log directory's name (the reference's experiment name). */
  name: nameText(),
  /** Method the run trained, when known (shown in the Runs table); default `imported`. 1 … 100 characters, no NUL. */
  method: z.string().trim().min(1).max(100).regex(NUL_FREE, NUL_MESSAGE).default('imported'),
});
export type TensorboardImportFields = z.input<typeof tensorboardImportFieldsSchema>;

const countedSchema = z.number().int().min(0);

export const tensorboardImportResultSchema = z.object({
  runId: z.string().uuid(),
  name: z.string(),
  /** Metric points stored (one per tag and step). */
  points: countedSchema,
  /** Distinct tags stored. */
  keys: countedSchema,
  files: z.array(z.object({ file: z.string(), records: countedSchema, fileVersion: z.string().nullable() })),
  /** Non-scalar values (images, histograms, text, …): not imported, counted. */
  skipped: z.array(z.object({ tag: z.string(), kind: z.string(), count: countedSchema })),
  /** Scalars Equilab cannot store (NaN, empty or too-long tags, negative steps), counted. */
  dropped: z.array(z.object({ tag: z.string(), reason: z.string(), count: countedSchema })),
});
export type TensorboardImportResult = z.infer<typeof tensorboardImportResultSchema>;

/** Bound of one `POST /api/imports/weights` file: a width-1 ResNet-18 is 45 MB in float32, 90 MB in float64. */
export const MAX_WEIGHTS_UPLOAD_BYTES = 256 * 1024 * 1024;
/** Bound of the `config` form field of a weights import (JSON text of method-config overrides). */
export const MAX_WEIGHTS_CONFIG_LENGTH = 16 * 1024;

/**
 * `POST /api/imports/weights`, multipart/form-data: these text fields and the reference's weights as `file`
 * (`final_weights.pth`, a `model.pth` checkpoint or safetensors in the reference's naming; at most
 * MAX_WEIGHTS_UPLOAD_BYTES). It creates an `imported` run holding the backbone as its final weights, which the
 * evaluation routes evaluate on a runner as they do a trained run.
 */
export const weightsImportFieldsSchema = z.object({
  projectId: z.string().uuid(),
  /** The Equilab method the weights were trained with (its config sets the evaluation's parts, e.g. `equi`). */
  method: text(MAX_LABEL_LENGTH),
  /** Run name; default: the file's name. 1 … 200 characters after trimming, no NUL. */
  name: nameText().optional(),
  /**
   * JSON object of method-config overrides (at most MAX_WEIGHTS_CONFIG_LENGTH characters, e.g. `{"equi":256}`);
   * `width` defaults to the one the weights have (the stem's channels / 64).
   */
  config: text(MAX_WEIGHTS_CONFIG_LENGTH)
    .transform((raw, ctx) => {
      try {
        const parsed: unknown = JSON.parse(raw);
        if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
      } catch {
        // reported below
      }
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object of method-config overrides' });
      return z.NEVER;
    })
    .optional(),
  /** Dataset root the evaluations read (1 … 512 characters, no NUL); default: the API's configured data root. */
  dataRoot: text(MAX_PATH_LENGTH).optional(),
  /** Backend the evaluations request (as a run's `backend`). */
  backend: backendNameSchema.default('wasm'),
});
export type WeightsImportFields = z.input<typeof weightsImportFieldsSchema>;

export const weightsImportResultSchema = z.object({
  runId: z.string().uuid(),
  name: z.string(),
  method: z.string(),
  /** Width multiplier of the backbone (from the file unless `config.width` says otherwise). */
  width: z.number(),
  /** Backbone tensors read (weights and batch-norm statistics). */
  tensors: countedSchema,
  /** Key prefix the backbone was stored under (`module.backbone.` for a reference `model.pth`, '' for `final_weights.pth`). */
  prefix: z.string(),
  /** The run's stored files: `final_weights.safetensors` (final-weights) and `checkpoint.safetensors` (checkpoint). */
  artifacts: z.array(z.object({ id: z.string().uuid(), kind: z.string(), path: z.string(), size: countedSchema, sha256: z.string() })),
});
export type WeightsImportResult = z.infer<typeof weightsImportResultSchema>;

/**
 * `initWeights` of `POST /api/runs`: the weights a fresh pretraining run starts from instead of its seeded init
 * (libs/interop `applyInitialWeights`: backbone, plus the method heads when it is a checkpoint). `runId`: that
 * run's final weights (a trained run, or an upload of `POST /api/imports/weights`); `artifactId`: one
 * `final-weights` or `checkpoint` artifact. The source must be in the same project.
 */
export const initWeightsRequestSchema = z.union([z.strictObject({ runId: z.string().uuid() }), z.strictObject({ artifactId: z.string().uuid() })]);
export type InitWeightsRequest = z.infer<typeof initWeightsRequestSchema>;

/** What a run stores and its pretrain job carries: the artifact resolved at creation, and its run. */
export const initWeightsSchema = z.object({
  artifactId: z.string().uuid(),
  runId: z.string().uuid(),
  kind: z.enum(['final-weights', 'checkpoint']),
});
export type InitWeights = z.infer<typeof initWeightsSchema>;
