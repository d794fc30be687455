import * as tf from '@tensorflow/tfjs-core';

/** `F.mse_loss`: mean over batch AND dims of squared differences. */
export function mseLoss(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  return tf.mean<tf.Scalar>(tf.squaredDifference(a, b));
}
