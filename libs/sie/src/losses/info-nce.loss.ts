import * as tf from '@tensorflow/tfjs-core';
import { matMulFast } from '../ops/matmul.op';

/** `F.normalize(x, dim=1)`: x / max(‖x‖₂, 1e-12) per row. */
export function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  const sq = tf.sum(tf.square(x), 1, true);
  return tf.div(x, tf.sqrt(tf.maximum(sq, 1e-24)));
}

/**
 * SimCLR InfoNCE (NT-Xent) on paired views A, B (N rows each): F = L2-normalise([A; B]), S = F Fᵀ / τ without
 * its diagonal; row r's positive is its partner r ± N and the 2N − 2 others are negatives; the loss is the mean
 * cross-entropy over the 2N rows. ≈ ln(2N − 1) when all similarities are equal.
 */
export function infoNceLoss(a: tf.Tensor2D, b: tf.Tensor2D, temperature: number): tf.Scalar {
  if (!(temperature > 0)) throw new Error(`simclr_temp: must be > 0, got ${temperature}`);
  const n = a.shape[0];
  const f = l2Normalize(tf.concat([a, b], 0));
  const fa = tf.slice(f, [0, 0], [n, -1]);
  const fb = tf.slice(f, [n, 0], [n, -1]);
  const logits = tf.div(matMulFast(f, f, false, true), temperature);
  // Drop the self-similarity from the softmax (exp(−1e9) = 0; its gradient weight is 0 too).
  const masked = tf.sub(logits, tf.mul(tf.eye(2 * n), 1e9));
  const positive = tf.div(tf.sum(tf.mul(fa, fb), 1), temperature);
  const lse = tf.logSumExp(masked, 1);
  return tf.mean<tf.Scalar>(tf.sub(lse, tf.concat([positive, positive], 0)));
}
