import * as tf from '@tensorflow/tfjs-core';

/**
 * R² as the reference computes it everywhere (spec §5): 1 − Σ_{i,k}(t − p)² / Σ_{i,k}(t − t̄)² with t̄ the SCALAR
 * mean over every entry of the target (not sklearn's per-output average). Predicting the per-component mean
 * quaternion already scores ≈ 0.229.
 */
export function r2Score(prediction: tf.Tensor, target: tf.Tensor): tf.Scalar {
  if (prediction.shape.join() !== target.shape.join())
    throw new Error(
      `r2: prediction [${prediction.shape.join(', ')}] and target [${target.shape.join(', ')}] differ`,
    );
  return tf.tidy(() => {
    const residual = tf.sum(tf.squaredDifference(target, prediction));
    const total = tf.sum(tf.square(tf.sub(target, tf.mean(target))));
    return tf.sub<tf.Scalar>(1, tf.div(residual, total));
  });
}
