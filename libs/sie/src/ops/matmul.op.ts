import * as tf from '@tensorflow/tfjs-core';
import { binaryCustomGrad } from './custom-grad.op';

/**
 * 2-D matrix products that never hand a transpose flag to the backend. tfjs-backend-wasm 4.22 runs
 * `matMul(a, b, transposeA, transposeB)` with either flag 20–60× slower than the same product of explicitly
 * transposed operands (measured on this machine: 32×1024 · 1024×1024 ≈ 4 ms plain, ≈ 100–270 ms with a flag),
 * and tfjs's registered MatMul gradient uses those flags for both input gradients. `matMulFast` computes op(a)·op(b)
 * and its gradients with explicit transposes, always transposing the cheapest tensors (using
 * op(a)·op(b) = (op(b)ᵀ·op(a)ᵀ)ᵀ when that moves less data, e.g. u·Wᵀ for a large weight W).
 */
function product(a: tf.Tensor2D, b: tf.Tensor2D, ta: boolean, tb: boolean): tf.Tensor2D {
  const rows = ta ? a.shape[1] : a.shape[0];
  const cols = tb ? b.shape[0] : b.shape[1];
  const direct = (ta ? a.size : 0) + (tb ? b.size : 0);
  const flipped = (ta ? 0 : a.size) + (tb ? 0 : b.size) + rows * cols;
  if (direct <= flipped) return tf.matMul<tf.Tensor2D>(ta ? tf.transpose(a) : a, tb ? tf.transpose(b) : b);
  return tf.transpose(tf.matMul<tf.Tensor2D>(tb ? b : tf.transpose(b), ta ? a : tf.transpose(a)));
}

const kernels = new Map<string, (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D>();

function kernel(ta: boolean, tb: boolean): (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D {
  const key = `${ta}${tb}`;
  let k = kernels.get(key);
  if (!k) {
    k = binaryCustomGrad(
      (a2: tf.Tensor2D, b2: tf.Tensor2D) => product(a2, b2, ta, tb),
      (g: tf.Tensor2D, sa: tf.Tensor2D, sb: tf.Tensor2D) => {
        // C = op(a)·op(b): d op(a) = dC·op(b)ᵀ, d op(b) = op(a)ᵀ·dC.
        const da = ta ? product(sb, g, tb, true) : product(g, sb, false, !tb);
        const db = tb ? product(g, sa, true, ta) : product(sa, g, !ta, false);
        return [da, db];
      },
    );
    kernels.set(key, k);
  }
  return k;
}

/** op(a)·op(b) for 2-D tensors (op = transpose when the flag is set), with a transpose-flag-free gradient. */
export function matMulFast(
  a: tf.Tensor2D,
  b: tf.Tensor2D,
  transposeA = false,
  transposeB = false,
): tf.Tensor2D {
  return kernel(transposeA, transposeB)(a, b);
}
