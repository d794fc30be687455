import * as tf from '@tensorflow/tfjs-core';
import { matMulFast } from '../ops/matmul.op';

/** ε inside the square root of the VICReg standard deviation. */
export const VICREG_STD_EPS = 1e-4;

function centre(x: tf.Tensor2D): tf.Tensor2D {
  return tf.sub(x, tf.mean(x, 0, true));
}

/**
 * Hinge on the per-dimension standard deviation of ONE view: mean_j ReLU(1 − s_j), s_j = √(Var_unbiased(x_j) + 1e-4)
 * (the variance over the actual batch N, unbiased N − 1).
 */
export function stdHinge(x: tf.Tensor2D): tf.Scalar {
  const n = x.shape[0];
  if (n < 2) throw new Error(`variance term: needs a batch of at least 2, got ${n}`);
  const xc = centre(x);
  const variance = tf.div(tf.sum(tf.square(xc), 0), n - 1);
  const std = tf.sqrt(tf.add(variance, VICREG_STD_EPS));
  return tf.mean<tf.Scalar>(tf.relu(tf.sub(1, std)));
}

/** VICReg variance term V = ½·hinge(X) + ½·hinge(Y). Full collapse → 0.99. */
export function varianceLoss(x: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar {
  return tf.add<tf.Scalar>(tf.div(stdHinge(x), 2), tf.div(stdHinge(y), 2));
}

/** SIE predictor variance Vpred = ½·hinge(Ŷ) (a single view, still halved as in the reference). */
export function predictorVarianceLoss(prediction: tf.Tensor2D): tf.Scalar {
  return tf.div<tf.Scalar>(stdHinge(prediction), 2);
}

/**
 * Σ_{i≠j} C_ij² of C = XcᵀXc / (batchSize − 1). Σ_ij C_ij² = ‖XcᵀXc‖²_F / (B − 1)² = ‖XcXcᵀ‖²_F / (B − 1)², so
 * with fewer rows than columns the (N, N) Gram matrix is used instead of the (d, d) covariance (N·d² → N²·d).
 */
function offDiagonalSquares(x: tf.Tensor2D, batchSize: number): tf.Scalar {
  const [n, d] = x.shape;
  const xc = centre(x);
  const gram = n < d ? matMulFast(xc, xc, false, true) : matMulFast(xc, xc, true, false);
  const all = tf.div(tf.sum(tf.square(gram)), (batchSize - 1) ** 2);
  const diag = tf.div(tf.sum(tf.square(xc), 0), batchSize - 1);
  return tf.sub<tf.Scalar>(all, tf.sum(tf.square(diag)));
}

/**
 * VICReg covariance term: [Σ_{i≠j} C(X)_ij² + Σ_{i≠j} C(Y)_ij²] / d with C = XcᵀXc / (batchSize − 1), where
 * `batchSize` is the CONFIGURED global batch size (not the actual N, as in the reference) and d the embedding width.
 */
export function covarianceLoss(x: tf.Tensor2D, y: tf.Tensor2D, batchSize: number): tf.Scalar {
  if (!(batchSize > 1)) throw new Error(`covariance term: batch_size must be > 1, got ${batchSize}`);
  const d = x.shape[1];
  return tf.div<tf.Scalar>(tf.add(offDiagonalSquares(x, batchSize), offDiagonalSquares(y, batchSize)), d);
}
