import * as tf from '@tensorflow/tfjs-core';

/**
 * Retrieval metrics of the equivariant predictor (spec §7.4–7.5): MRR / H@k over the views of the same object,
 * and PRE (prediction error) against the whole embedding bank. Inputs are row-aligned: row j of `predictions`
 * is ŷ_j = W(z_j)·emb_s(j), row j of `bank` is the embedding of image j, images ordered object-major
 * (object k's views are rows k·V … k·V + V − 1).
 */

export interface RetrievalOptions {
  /** L2-normalise predictions and bank before the dot products (the reference's default; `--no-norm` = false). */
  readonly normalize: boolean;
  /** Rows of predictions scored per matmul (bounds memory: chunk × bank rows floats). */
  readonly chunkRows?: number;
}

export interface RankingMetrics {
  readonly MRR: number;
  readonly 'H@1': number;
  readonly 'H@2': number;
  readonly 'H@5': number;
  readonly 'H@10': number;
  readonly count: number;
}

const HIT_KS = [1, 2, 5, 10] as const;

function prepare(x: tf.Tensor2D, normalize: boolean): tf.Tensor2D {
  if (!normalize) return x.clone();
  return tf.tidy(() => {
    const norm = tf.maximum(tf.norm(x, 'euclidean', 1, true), 1e-12);
    return tf.div<tf.Tensor2D>(x, norm);
  });
}

/**
 * 1-based rank of view j among the V views of its own object, sorting ŷ_j·bank_c in decreasing order (ties
 * counted pessimistically: every candidate with a similarity ≥ the true one's, other than itself, ranks ahead).
 */
export function ranksWithinObject(
  predictions: tf.Tensor2D,
  bank: tf.Tensor2D,
  viewsPerObject: number,
  options: RetrievalOptions,
): Int32Array {
  const [rows, dims] = predictions.shape;
  if (bank.shape[0] !== rows || bank.shape[1] !== dims) {
    throw new RangeError(`bank shape [${bank.shape.join(', ')}] must equal predictions shape [${rows}, ${dims}]`);
  }
  if (viewsPerObject < 1 || rows % viewsPerObject !== 0) {
    throw new RangeError(`rows (${rows}) must be a positive multiple of viewsPerObject (${viewsPerObject})`);
  }
  const objects = rows / viewsPerObject;
  const p = prepare(predictions, options.normalize);
  const b = prepare(bank, options.normalize);
  try {
    const sims = tf.tidy(() => {
      const p3 = tf.reshape(p, [objects, viewsPerObject, dims]);
      const b3 = tf.reshape(b, [objects, viewsPerObject, dims]);
      return tf.matMul(p3, b3, false, true); // (objects, V, V): [k, i, c] = ŷ_(k,i) · bank_(k,c)
    });
    const values = sims.dataSync();
    sims.dispose();
    const ranks = new Int32Array(rows);
    for (let row = 0; row < rows; row++) {
      const offset = row * viewsPerObject;
      const self = row % viewsPerObject;
      const target = values[offset + self]!;
      let rank = 1;
      for (let c = 0; c < viewsPerObject; c++) if (c !== self && values[offset + c]! >= target) rank++;
      ranks[row] = rank;
    }
    return ranks;
  } finally {
    p.dispose();
    b.dispose();
  }
}

export function rankingMetrics(ranks: ArrayLike<number>): RankingMetrics {
  const count = ranks.length;
  if (count === 0) throw new RangeError('rankingMetrics needs at least one rank');
  let reciprocal = 0;
  const hits = HIT_KS.map(() => 0);
  for (let i = 0; i < count; i++) {
    const rank = ranks[i]!;
    reciprocal += 1 / rank;
    HIT_KS.forEach((k, j) => {
      if (rank <= k) hits[j]!++;
    });
  }
  return {
    MRR: reciprocal / count,
    'H@1': hits[0]! / count,
    'H@2': hits[1]! / count,
    'H@5': hits[2]! / count,
    'H@10': hits[3]! / count,
    count,
  };
}

/**
 * Index of the nearest bank row (largest dot product) of every prediction, over the whole bank, in chunks.
 */
export function nearestNeighbours(predictions: tf.Tensor2D, bank: tf.Tensor2D, options: RetrievalOptions): Int32Array {
  const rows = predictions.shape[0];
  const chunk = Math.max(1, options.chunkRows ?? 1024);
  const p = prepare(predictions, options.normalize);
  const b = prepare(bank, options.normalize);
  const out = new Int32Array(rows);
  try {
    for (let start = 0; start < rows; start += chunk) {
      const size = Math.min(chunk, rows - start);
      const best = tf.tidy(() => tf.argMax(tf.matMul(tf.slice(p, [start, 0], [size, -1]), b, false, true), 1));
      out.set(best.dataSync(), start);
      best.dispose();
    }
    return out;
  } finally {
    p.dispose();
    b.dispose();
  }
}

/**
 * PRE = mean_j (1 − (q_j · q_nn(j))²): the squared sine of half the angle between the absolute pose of image j
 * and that of the image retrieved for its prediction. `poses` holds one (x, y, z, w) quaternion per bank row;
 * `queryPoses` one per prediction row (defaults to `poses` when predictions and bank are the same images).
 */
export function predictionError(
  neighbours: Int32Array,
  poses: Float32Array | Float64Array,
  queryPoses: Float32Array | Float64Array = poses,
): number {
  const rows = neighbours.length;
  if (rows === 0) throw new RangeError('predictionError needs at least one row');
  if (queryPoses.length !== rows * 4) throw new RangeError(`queryPoses must hold ${rows} quaternions`);
  let sum = 0;
  for (let j = 0; j < rows; j++) {
    const nn = neighbours[j]!;
    if (nn < 0 || nn * 4 + 3 >= poses.length) throw new RangeError(`neighbour ${nn} of row ${j} outside the bank`);
    let dot = 0;
    for (let c = 0; c < 4; c++) dot += queryPoses[j * 4 + c]! * poses[nn * 4 + c]!;
    sum += 1 - dot * dot;
  }
  return sum / rows;
}
