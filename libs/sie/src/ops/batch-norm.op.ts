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
 * `op` (tf.mean or tf.sum) over `axes` (every axis but the channels), one axis at a time from the innermost:
 * each reduction then adds at most max(B, H, W) terms. The wasm backend accumulates a reduction naively in
 * float32, and over the B·H·W values of a channel (32,768 for the stem at 64 px) that loses up to ~1e-5 of the
 * mean; in channels whose mean is large against their spread, x − μ turns that into gradient errors of 1e-3–1e-2
 * (measured against PyTorch in float64). Reduced axis by axis, wasm agrees with the cpu backend (float64
 * accumulation) and with PyTorch to float32 precision.
 */
function reduceChannels<R extends tf.Tensor>(op: (x: tf.Tensor, axis: number[]) => tf.Tensor, x: tf.Tensor, axes: readonly number[]): R {
  let y = x;
  for (const axis of [...axes].sort((a, b) => b - a)) y = op(y, [axis]);
  return y as R;
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
    const mean = reduceChannels<tf.Tensor1D>(tf.mean, xt, axes);
    const variance = reduceChannels<tf.Tensor1D>(tf.mean, tf.squaredDifference(xt, mean), axes);
    if (onStats) onStats({ mean, variance, count });
    save([xt, g, mean, variance]);
    const value = tf.batchNorm(xt, mean, variance, bt, g, eps);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, gs, m, v] = saved as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
        const invStd = tf.rsqrt(tf.add(v, eps));
        const dBeta = reduceChannels<tf.Tensor1D>(tf.sum, dy, axes);
        const xhat = tf.batchNorm(xs, m, v, undefined, undefined, eps);
        const dGamma = reduceChannels<tf.Tensor1D>(tf.sum, tf.mul(dy, xhat), axes);
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
