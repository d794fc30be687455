import * as tf from '@tensorflow/tfjs-core';

/**
 * Metric functions of the online evaluator. Stand-ins until `metrics/` (methods engineer) lands, with the same
 * definitions: top-k as a fraction, R² with the GLOBAL target mean (spec §5).
 */
export function topKAccuracy(logits: tf.Tensor2D, labels: tf.Tensor1D, k: number): tf.Scalar {
  return tf.tidy(() => {
    const kk = Math.min(k, logits.shape[1]);
    const { indices } = tf.topk(logits, kk);
    const hits = tf.any(tf.equal(indices, tf.expandDims(tf.cast(labels, 'int32'), 1)), 1);
    return tf.mean(tf.cast(hits, 'float32')) as tf.Scalar;
  });
}

export function r2Score(prediction: tf.Tensor, target: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const residual = tf.sum(tf.squaredDifference(target, prediction));
    const total = tf.sum(tf.square(tf.sub(target, tf.mean(target))));
    return tf.sub(1, tf.div(residual, total)) as tf.Scalar;
  });
}
