import * as tf from '@tensorflow/tfjs-core';

/** Fraction (not percent) of rows whose label is among the k largest logits. */
export function topKAccuracy(logits: tf.Tensor2D, labels: tf.Tensor1D, k: number): tf.Scalar {
  if (!Number.isInteger(k) || k < 1) throw new Error(`top-k: k must be a positive integer, got ${k}`);
  if (labels.shape[0] !== logits.shape[0])
    throw new Error(`top-k: ${logits.shape[0]} rows of logits but ${labels.shape[0]} labels`);
  return tf.tidy(() => {
    const { indices } = tf.topk(logits, Math.min(k, logits.shape[1]));
    const hits = tf.any(tf.equal(indices, tf.expandDims(tf.cast(labels, 'int32'), 1)), 1);
    return tf.mean<tf.Scalar>(tf.cast(hits, 'float32'));
  });
}
