import * as tf from '@tensorflow/tfjs-core';

/**
 * `tf.customGrad` of a two-input op: forward `value(a, b)`, backward `grads(dy, a, b)` = [dL/da, dL/db] (both inputs
 * are saved for the backward pass).
 */
export function binaryCustomGrad<A extends tf.Tensor, B extends tf.Tensor, Y extends tf.Tensor>(
  value: (a: A, b: B) => Y,
  grads: (dy: Y, a: A, b: B) => [tf.Tensor, tf.Tensor],
): (a: A, b: B) => Y {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [a, b, save] = args as [A, B, tf.GradSaveFunc];
    save([a, b]);
    return {
      value: value(a, b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => grads(dy as Y, saved[0] as A, saved[1] as B),
    };
  });
  return (a, b) => f(a, b);
}
