import * as tf from '@tensorflow/tfjs-core';

/**
 * Logged representation statistics of the reference (spec §3 "Logged stats"), computed without gradients.
 * Stand-ins until `metrics/` (methods engineer) provides them, with the same definitions.
 */

/** Mean of the signed off-diagonal entries of the correlation matrix (columns standardised with std + 1e-5). */
export function correlationStat(x: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const [n, d] = x.shape;
    if (d < 2 || n < 2) return tf.scalar(0);
    const centred = tf.sub(x, tf.mean(x, 0));
    const std = tf.sqrt(tf.div(tf.sum(tf.square(centred), 0), n - 1));
    const z = tf.div(centred, tf.add(std, 1e-5));
    const corr = tf.div(tf.matMul(z, z, true, false), n - 1);
    const offDiagonalSum = tf.sub(tf.sum(corr), tf.sum(tf.mul(corr, tf.eye(d))));
    return tf.div(offDiagonalSum, d * (d - 1)) as tf.Scalar;
  });
}

/** Mean over dimensions of the per-dimension (unbiased) std of the L2-normalised rows. */
export function stdStat(x: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const n = x.shape[0];
    if (n < 2) return tf.scalar(0);
    const norm = tf.maximum(tf.norm(x, 2, 1, true), 1e-12);
    const unit = tf.div(x, norm);
    const centred = tf.sub(unit, tf.mean(unit, 0));
    const std = tf.sqrt(tf.div(tf.sum(tf.square(centred), 0), n - 1));
    return tf.mean(std) as tf.Scalar;
  });
}
