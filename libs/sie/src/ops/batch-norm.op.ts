import * as tf from '@tensorflow/tfjs-core';

export const BN_EPS = 1e-5;

/** Batch statistics of one training-mode batch-norm call (per channel, biased variance). */
export interface BatchStats {
  readonly mean: tf.Tensor1D;
  readonly variance: tf.Tensor1D;
  /** Number of values per channel the statistics were computed over. */
  readonly count: number;
}

/**
 * Training-mode batch norm over every axis but the last (NHWC or NC): batch mean, biased batch variance,
 * y = γ·(x − μ)/√(σ² + ε) + β. The backward pass is closed-form and recomputes x̂ from the saved input instead of
 * keeping it. `onStats` receives the batch statistics (inside the caller's scope) to update running averages.
 */
export function batchNormTrain<T extends tf.Tensor>(
  x: T,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  onStats?: (stats: BatchStats) => void,
  eps = BN_EPS,
): T {
  const rank = x.rank;
  const axes = Array.from({ length: rank - 1 }, (_, i) => i);
  const channels = x.shape[rank - 1] ?? 0;
  if (gamma.shape[0] !== channels || beta.shape[0] !== channels)
    throw new Error(`batchNormTrain: ${channels} channels but gamma/beta have ${gamma.shape[0]}/${beta.shape[0]}`);
  const count = x.size / channels;
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xt, g, bt, save] = args as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const mean = tf.mean<tf.Tensor1D>(xt, axes);
    const variance = tf.mean<tf.Tensor1D>(tf.squaredDifference(xt, mean), axes);
    if (onStats) onStats({ mean, variance, count });
    save([xt, g, mean, variance]);
    const value = tf.batchNorm(xt, mean, variance, bt, g, eps);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, gs, m, v] = saved as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
        const invStd = tf.rsqrt(tf.add(v, eps));
        const dBeta = tf.sum<tf.Tensor1D>(dy, axes);
        const xhat = tf.batchNorm(xs, m, v, undefined, undefined, eps);
        const dGamma = tf.sum<tf.Tensor1D>(tf.mul(dy, xhat), axes);
        xhat.dispose();
        // dx = k·dy − (x̂·k·dγ/N + k·dβ/N), k = γ/√(σ²+ε); the bracket is one batchNorm of x.
        const k = tf.mul<tf.Tensor1D>(gs, invStd);
        const scale = tf.div<tf.Tensor1D>(tf.mul(k, dGamma), count);
        const offset = tf.div<tf.Tensor1D>(tf.mul(k, dBeta), count);
        const correction = tf.batchNorm(xs, m, v, offset, scale, eps);
        const dyk = tf.mul(dy, k);
        const dx = tf.sub(dyk, correction);
        dyk.dispose();
        correction.dispose();
        return [dx, dGamma, dBeta];
      },
    };
  });
  return f(x, gamma, beta) as T;
}

/** ReLU whose gradient is taken from its output (kept anyway by the next layer) instead of its input. */
export function reluOut<T extends tf.Tensor>(x: T): T {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xt, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const y = tf.relu(xt);
    save([y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const ys = saved[0] as tf.Tensor;
        return [tf.mul(dy, tf.step(ys))];
      },
    };
  });
  return f(x) as T;
}
