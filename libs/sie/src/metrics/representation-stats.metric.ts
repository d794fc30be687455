import * as tf from '@tensorflow/tfjs-core';
import { l2Normalize } from '../losses/info-nce.loss';
import { matMulFast } from '../ops/matmul.op';

/**
 * `coremb` / `corhead` (spec §3): mean of the signed off-diagonal entries of the correlation matrix of x (N, d),
 * features standardised with their unbiased std + 1e-5 and the product normalised by N − 1.
 */
export function meanOffDiagonalCorrelation(x: tf.Tensor2D): tf.Scalar {
  const [n, d] = x.shape;
  if (n < 2 || d < 2) throw new Error(`correlation stat: needs N ≥ 2 and d ≥ 2, got [${n}, ${d}]`);
  return tf.tidy(() => {
    const xc = tf.sub(x, tf.mean(x, 0, true));
    const std = tf.sqrt(tf.div(tf.sum(tf.square(xc), 0, true), n - 1));
    const xs = tf.div<tf.Tensor2D>(xc, tf.add(std, 1e-5));
    const corr = tf.div(matMulFast(xs, xs, true, false), n - 1);
    const trace = tf.div(tf.sum(tf.square(xs)), n - 1);
    return tf.div<tf.Scalar>(tf.sub(tf.sum(corr), trace), d * (d - 1));
  });
}

/**
 * `stdemb` / `stdhead`: mean over dims of the per-dim (unbiased) std of the L2-normalised rows of x. ≈ 1/√d for
 * isotropic features; → 0 on collapse.
 */
export function meanNormalizedStd(x: tf.Tensor2D): tf.Scalar {
  const n = x.shape[0];
  if (n < 2) throw new Error(`std stat: needs N ≥ 2, got ${n}`);
  return tf.tidy(() => {
    const f = l2Normalize(x);
    const fc = tf.sub(f, tf.mean(f, 0, true));
    return tf.mean<tf.Scalar>(tf.sqrt(tf.div(tf.sum(tf.square(fc), 0), n - 1)));
  });
}

export interface RepresentationStatsInputs {
  readonly hx: tf.Tensor2D;
  readonly hy: tf.Tensor2D;
  readonly embX: tf.Tensor2D;
  readonly embY: tf.Tensor2D;
  readonly prediction?: tf.Tensor2D;
}

/**
 * The reference's `Stats/…` TensorBoard values (no gradient): correlation and std of representations and
 * embeddings per view, and of the predictor output when there is one. Returns plain numbers (reads back).
 */
export function representationStats(inputs: RepresentationStatsInputs): Record<string, number> {
  const values = tf.tidy(() => {
    const out: [string, tf.Scalar][] = [];
    const views: [string, tf.Tensor2D, tf.Tensor2D][] = [
      ['representations', inputs.hx, inputs.hy],
      ['embeddings', inputs.embX, inputs.embY],
    ];
    for (const [what, a, b] of views) {
      out.push(
        [`Stats/Corr. ${what} view1`, meanOffDiagonalCorrelation(a)],
        [`Stats/Corr. ${what} view2`, meanOffDiagonalCorrelation(b)],
      );
      out.push(
        [`Stats/Std ${what} view1`, meanNormalizedStd(a)],
        [`Stats/Std ${what} view2`, meanNormalizedStd(b)],
      );
    }
    if (inputs.prediction && inputs.prediction.shape[1] >= 2) {
      out.push(['Stats/Corr. predictor output', meanOffDiagonalCorrelation(inputs.prediction)]);
      out.push(['Stats/Std predictor output', meanNormalizedStd(inputs.prediction)]);
    }
    return out;
  });
  const result: Record<string, number> = {};
  for (const [key, t] of values) {
    result[key] = (t.dataSync() as Float32Array)[0] as number;
    t.dispose();
  }
  return result;
}
