import { z } from 'zod';
import { nameText, NUL_FREE, NUL_MESSAGE } from './bounds';

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
