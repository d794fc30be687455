import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend/select-backend';
import { randomArray } from '../ops/tensor-assert';
import { covarianceLoss, infoNceLoss, mseLoss, predictorVarianceLoss, stdHinge, varianceLoss } from './index';

before(async () => {
  await selectBackend('cpu');
});

const value = (t: tf.Tensor): number => t.dataSync()[0] as number;

void test('full collapse: V = 0.99, Vpred = 0.495, Cov = 0', () => {
  tf.tidy(() => {
    const c = tf.fill<tf.Rank.R2>([8, 5], 0.3);
    assert.ok(Math.abs(value(varianceLoss(c, c)) - 0.99) < 1e-6);
    assert.ok(Math.abs(value(predictorVarianceLoss(c)) - 0.495) < 1e-6);
    assert.equal(value(covarianceLoss(c, c, 8)), 0);
  });
});

void test('variance uses the unbiased variance with 1e-4 inside the square root', () => {
  tf.tidy(() => {
    // column [0, 2]: unbiased var 2 → s = √2.0001 > 1 → 0; column [0, 0.2]: var 0.02 → 1 − √0.0201
    const x = tf.tensor2d([0, 0, 2, 0.2], [2, 2]);
    const want = (0 + (1 - Math.sqrt(0.0201))) / 2;
    assert.ok(Math.abs(value(stdHinge(x)) - want) < 1e-6);
  });
});

void test('covariance: off-diagonal squares of XcᵀXc/(batch_size − 1), summed over both views, ÷ d', () => {
  const reference = (v: number[], n: number, d: number, nominal: number): number => {
    const mean = Array.from(
      { length: d },
      (_, j) => v.filter((_, k) => k % d === j).reduce((a, b) => a + b, 0) / n,
    );
    let s = 0;
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) {
        if (i === j) continue;
        let c = 0;
        for (let r = 0; r < n; r++) c += (v[r * d + i]! - mean[i]!) * (v[r * d + j]! - mean[j]!);
        s += (c / (nominal - 1)) ** 2;
      }
    return s;
  };
  // tall (covariance matrix) and wide (Gram matrix) inputs
  for (const [n, d] of [
    [6, 3],
    [4, 10],
  ] as const) {
    const xs = Array.from(randomArray(n * d, 3));
    const ys = Array.from(randomArray(n * d, 4));
    tf.tidy(() => {
      const x = tf.tensor2d(xs, [n, d]);
      const y = tf.tensor2d(ys, [n, d]);
      for (const nominal of [n, 32]) {
        const want = (reference(xs, n, d, nominal) + reference(ys, n, d, nominal)) / d;
        const got = value(covarianceLoss(x, y, nominal));
        assert.ok(
          Math.abs(got - want) < 1e-5 * Math.max(1, want),
          `[${n}, ${d}] batch_size ${nominal}: ${got} vs ${want}`,
        );
      }
    });
  }
});

void test('InfoNCE equals ln(2N − 1) when all similarities are equal, and is ≈ that for random embeddings at high τ', () => {
  tf.tidy(() => {
    const n = 16;
    const same = tf.fill<tf.Rank.R2>([n, 8], 1);
    assert.ok(Math.abs(value(infoNceLoss(same, same, 0.1)) - Math.log(2 * n - 1)) < 1e-4);
    const a = tf.tensor2d(randomArray(n * 64, 1), [n, 64]);
    const b = tf.tensor2d(randomArray(n * 64, 2), [n, 64]);
    assert.ok(Math.abs(value(infoNceLoss(a, b, 100)) - Math.log(2 * n - 1)) < 1e-2);
  });
});

void test('InfoNCE is low for matching pairs with orthogonal negatives and never negative', () => {
  tf.tidy(() => {
    const n = 4;
    const eye = tf.eye(n);
    const loss = value(infoNceLoss(eye, eye, 0.1));
    // floor: ln(1 + (2N − 2)·e^{−1/τ})
    assert.ok(Math.abs(loss - Math.log(1 + (2 * n - 2) * Math.exp(-10))) < 1e-5);
    assert.ok(loss >= 0);
  });
});

void test('mse is the mean over batch and dims', () => {
  tf.tidy(() => {
    assert.equal(value(mseLoss(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.zeros([2, 2]))), 7.5);
  });
});
