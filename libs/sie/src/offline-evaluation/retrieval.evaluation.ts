import * as tf from '@tensorflow/tfjs-core';
import { decodeImageInto, eulerXyzToQuaternion, PairDataset, transformationLatent } from '@equilab/data';
import type { RetrievalConfig } from '@equilab/contracts';
import { equivariantPath, type EquivariantPath } from './equivariant.path';
import type { PretrainedRun } from './pretrained.loader';
import { nearestNeighbours, predictionError, rankingMetrics, ranksWithinObject } from './retrieval.metrics';
import { loadViewLatents, VIEW_LATENT_DIM } from './view-latents.cache';

export interface RetrievalRunOptions {
  readonly run: PretrainedRun;
  readonly config: RetrievalConfig;
  readonly dataRoot: string;
  /** Where `all_latents_<split>.npy` is looked for / written, in order. */
  readonly cacheDirs: readonly string[];
  readonly signal?: AbortSignal;
  readonly log?: (message: string) => void;
}

export type RetrievalOutcome =
  | { readonly applicable: false; readonly reason: string }
  | { readonly applicable: true; readonly metrics: Record<string, number>; readonly canceled: boolean };

interface SplitBank {
  readonly objects: number;
  readonly views: number;
  /** (N·V, E) embeddings emb_j = p_eq(h_j), row-major. */
  readonly embeddings: Float32Array;
  readonly embDim: number;
  readonly latents: Float64Array;
  /** (N·V, 4) absolute pose quaternions q_j. */
  readonly poses: Float64Array;
}

class Canceled extends Error {}

async function embedSplit(options: RetrievalRunOptions, eq: EquivariantPath, split: 'train' | 'val'): Promise<SplitBank> {
  const { run, dataRoot } = options;
  const resolution = options.config.resolution ?? run.resolution;
  const dataset = await PairDataset.open({
    root: dataRoot,
    imagesFile: `${dataRoot}/${split}_images.npy`,
    labelsFile: `${dataRoot}/${split}_labels.npy`,
    resolution,
  });
  const { latents } = await loadViewLatents(dataset, split, options.cacheDirs);
  const V = dataset.views;
  const rows = dataset.length * V;
  const embDim = eq.projector.outDim;
  const embeddings = new Float32Array(rows * embDim);
  const batch = options.config.batch_size;
  const imageSize = resolution * resolution * 3;
  const buffer = new Float32Array(batch * imageSize);
  for (let start = 0; start < rows; start += batch) {
    if (options.signal?.aborted) throw new Canceled();
    const size = Math.min(batch, rows - start);
    await Promise.all(
      Array.from({ length: size }, (_, i) => {
        const row = start + i;
        return decodeImageInto(dataset.imagePath(Math.floor(row / V), row % V), resolution, buffer, i * imageSize);
      }),
    );
    const emb = tf.tidy(() => {
      const x = tf.tensor4d(buffer.subarray(0, size * imageSize), [size, resolution, resolution, 3]);
      return eq.embed(run.backbone.apply(x, false));
    });
    embeddings.set(emb.dataSync(), start * embDim);
    emb.dispose();
  }
  const poses = new Float64Array(rows * 4);
  for (let j = 0; j < rows; j++) {
    const l = latents.subarray(j * VIEW_LATENT_DIM, j * VIEW_LATENT_DIM + 3);
    poses.set(eulerXyzToQuaternion([Math.fround(l[0]!), Math.fround(l[1]!), Math.fround(l[2]!)]), j * 4);
  }
  return { objects: dataset.length, views: V, embeddings, embDim, latents, poses };
}

/** ŷ_j = Pred(emb_s, z_j), s = view 0 of j's object, z_j = latent of (s → j) in the run's latent mode. */
function predict(run: PretrainedRun, eq: EquivariantPath, bank: SplitBank, batch: number): Float32Array {
  const rows = bank.objects * bank.views;
  const L = eq.predictor.latentDim;
  const out = new Float32Array(rows * bank.embDim);
  for (let start = 0; start < rows; start += batch) {
    const size = Math.min(batch, rows - start);
    const src = new Float32Array(size * bank.embDim);
    const z = new Float32Array(size * L);
    for (let i = 0; i < size; i++) {
      const j = start + i;
      const s = j - (j % bank.views);
      src.set(bank.embeddings.subarray(s * bank.embDim, (s + 1) * bank.embDim), i * bank.embDim);
      const ls = bank.latents.subarray(s * VIEW_LATENT_DIM, (s + 1) * VIEW_LATENT_DIM);
      const lj = bank.latents.subarray(j * VIEW_LATENT_DIM, (j + 1) * VIEW_LATENT_DIM);
      z.set(transformationLatent(run.latentMode, ls, lj).slice(0, L), i * L);
    }
    const y = tf.tidy(() => eq.predictor.apply(tf.tensor2d(src, [size, bank.embDim]), tf.tensor2d(z, [size, L])));
    out.set(y.dataSync(), start * bank.embDim);
    y.dispose();
  }
  return out;
}

function concat(a: Float32Array | Float64Array, b: Float32Array | Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * PRE, MRR and H@k of the equivariant predictor (spec §7.4–7.5): val→val MRR/H@k/PRE (keys `MRR`, `H@k`,
 * `PRE`), val→all PRE (`PRE val-all`), and with split `train` the train→train ones (suffix ` train`).
 */
export async function runRetrievalEvaluation(options: RetrievalRunOptions): Promise<RetrievalOutcome> {
  const { run, config } = options;
  const eq = equivariantPath(run.model);
  if (eq === null) return { applicable: false, reason: `${run.method} has no equivariant projector + predictor (PRE/MRR/H@k need one)` };
  const metrics: Record<string, number> = {};
  const opts = { normalize: config.normalize };
  try {
    const train = await embedSplit(options, eq, 'train');
    const score = (bank: SplitBank, suffix: string, extraBank?: SplitBank): void => {
      const predictions = predict(run, eq, bank, config.batch_size);
      const rows = bank.objects * bank.views;
      const p = tf.tensor2d(predictions, [rows, bank.embDim]);
      const b = tf.tensor2d(bank.embeddings, [rows, bank.embDim]);
      try {
        const ranking = rankingMetrics(ranksWithinObject(p, b, bank.views, opts));
        for (const key of ['MRR', 'H@1', 'H@2', 'H@5', 'H@10'] as const) metrics[`${key}${suffix}`] = ranking[key];
        metrics[`PRE${suffix}`] = predictionError(nearestNeighbours(p, b, opts), bank.poses);
        if (extraBank) {
          const allRows = rows + extraBank.objects * extraBank.views;
          const all = tf.tensor2d(Float32Array.from(concat(extraBank.embeddings, bank.embeddings)), [allRows, bank.embDim]);
          try {
            metrics['PRE val-all'] = predictionError(
              nearestNeighbours(p, all, opts),
              concat(extraBank.poses, bank.poses),
              bank.poses,
            );
          } finally {
            all.dispose();
          }
        }
      } finally {
        p.dispose();
        b.dispose();
      }
    };
    if (config.splits.includes('val')) {
      const val = await embedSplit(options, eq, 'val');
      score(val, '', train);
    }
    if (config.splits.includes('train')) score(train, ' train');
    return { applicable: true, metrics, canceled: false };
  } catch (error) {
    if (error instanceof Canceled) return { applicable: true, metrics, canceled: true };
    throw error;
  }
}
