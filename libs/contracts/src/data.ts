import { z } from 'zod';

/**
 * Options of the 3DIEBench-shaped datasets of `@equilab/data`: the pair dataset, its batch loader and the
 * synthetic generator. They cross process boundaries (CLI → library, runner job → loader worker threads).
 */

/**
 * Transformation latent handed to the predictor: `quat` = relative quaternion (4), `rotcolor` = + Δfloor hue and
 * Δlight hue (6), `all` = + the 4 non-rotation latent differences (8: the reference `Dataset3DIEBenchAll`
 * concatenates the 4-D quaternion with `latent_2[3:] - latent_1[3:]`; the spec's "7-D" counts Euler angles).
 */
export const latentModeSchema = z.enum(['quat', 'rotcolor', 'all']);
export type LatentMode = z.output<typeof latentModeSchema>;

export const LATENT_SIZES: Readonly<Record<LatentMode, number>> = { quat: 4, rotcolor: 6, all: 8 };

/**
 * How images whose size differs from the requested resolution are resized. `pil`: decoded at full size, then
 * Pillow's bilinear resampling value for value (the reference's `Image.open(...).convert("RGB")` + torchvision
 * `Resize((r, r))`). `fast`: libjpeg's DCT scaling while decoding (1/2, 1/4, 1/8), then libvips' linear kernel
 * for any remaining factor: less CPU per image when downscaling, but a sharper low-pass than Pillow's (about 15 %
 * of the values differ, by up to tens of 8-bit levels at edges; libs/data/README.md has the measured figures).
 * Files already at the resolution decode identically in both.
 */
export const resizeModeSchema = z.enum(['pil', 'fast']);
export type ResizeMode = z.output<typeof resizeModeSchema>;

const positiveInt = z.number().int().min(1);
const seed = z.number().int().min(0).max(0xffffffff);

export const pairDatasetOptionsSchema = z.object({
  /** Dataset root: one folder per synset, one per object, `image_{v}.jpg` + `latent_{v}.npy`. */
  root: z.string().min(1),
  /** `.npy` of `<U{n}` object paths "/SYNSET/OBJ/" (absolute, or relative to the current directory). */
  imagesFile: z.string().min(1),
  /** `.npy` of int64 labels, same length as `imagesFile`. */
  labelsFile: z.string().min(1),
  /** Views per object; detected from the first object's folder when absent. */
  views: z.number().int().min(2).optional(),
  /** Number of classes; defaults to the number of class folders under `root`. */
  numClasses: positiveInt.optional(),
  /** Side of the square images handed out. */
  resolution: z.number().int().min(8).max(2048).default(256),
  /** How files of another size are resized to `resolution` (see `resizeModeSchema`). */
  resize: resizeModeSchema.default('pil'),
  latentMode: latentModeSchema.default('quat'),
});
export type PairDatasetOptions = z.input<typeof pairDatasetOptionsSchema>;
export type ResolvedPairDatasetOptions = z.output<typeof pairDatasetOptionsSchema>;

export const pairLoaderOptionsSchema = pairDatasetOptionsSchema.extend({
  batchSize: positiveInt,
  /**
   * worker_threads decoding batches (each image of a batch at once, on libuv's pool); 0 = decode from the calling
   * thread. Default: os.availableParallelism(), at most 8.
   */
  workers: z.number().int().min(0).max(64).optional(),
  /** Maximum number of batches decoded ahead of the consumer. */
  prefetch: positiveInt.max(256).default(4),
  seed: seed.default(0),
  shuffle: z.boolean().default(true),
  dropLast: z.boolean().default(false),
  /** Skip and count unreadable images/latents instead of throwing. */
  skipBad: z.boolean().default(false),
});
export type PairLoaderOptions = z.input<typeof pairLoaderOptionsSchema>;
export type ResolvedPairLoaderOptions = z.output<typeof pairLoaderOptionsSchema>;

export const generateDatasetOptionsSchema = z.object({
  out: z.string().min(1),
  classes: positiveInt.max(1000).default(10),
  objectsPerClass: positiveInt.max(100000).default(40),
  views: z.number().int().min(2).max(1000).default(50),
  size: z.number().int().min(16).max(1024).default(64),
  seed: seed.default(0),
  /** Render worker threads; 0 = render in the calling thread. Defaults to the number of CPUs (at most 8). */
  workers: z.number().int().min(0).max(64).optional(),
  /** Fraction of each class's objects put in the train split (the rest is val). */
  trainFraction: z.number().gt(0).lt(1).default(0.8),
  /** JPEG quality of the written views. */
  jpegQuality: z.number().int().min(1).max(100).default(95),
});
export type GenerateDatasetOptions = z.input<typeof generateDatasetOptionsSchema>;
export type ResolvedGenerateDatasetOptions = z.output<typeof generateDatasetOptionsSchema>;

export const datasetSplitSummarySchema = z.object({
  objects: z.number().int(),
  classes: z.number().int(),
});

/** `equilab data inspect --json` output. */
export const datasetSummarySchema = z.object({
  root: z.string(),
  classes: z.number().int(),
  classIds: z.array(z.string()),
  objects: z.number().int(),
  views: z.number().int(),
  resolution: z.object({ width: z.number().int(), height: z.number().int() }).nullable(),
  splits: z.record(z.string(), datasetSplitSummarySchema),
});
export type DatasetSummary = z.output<typeof datasetSummarySchema>;
