import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { classificationMetrics, partColumns, regressionMetrics } from './probe.evaluation';

void test('R² (spec §5): 1 for a perfect predictor, 0 for the scalar mean, 1 − Σcol var/Σ var for per-column means', async () => {
  await tf.setBackend('cpu');
  const target = tf.tensor2d([
    [0, 1, 2, 3],
    [1, 3, 2, 7],
    [2, 2, 5, 2],
  ]);
  const perfect = regressionMetrics(target, target);
  assert.equal(perfect.val_R2, 1);
  assert.equal(perfect.val_MSE, 0);
  const values = target.arraySync().flat();
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const constant = regressionMetrics(tf.fill([3, 4], mean), target);
  assert.ok(Math.abs(constant.val_R2!) < 1e-6);
  // Per-column mean predictor: residual = Σ_k Σ_i (t_ik − t̄_k)², total = Σ (t − t̄)² with the scalar mean.
  const cols = [0, 1, 2, 3].map((k) => values.filter((_, i) => i % 4 === k));
  const colMeans = cols.map((c) => c.reduce((a, b) => a + b, 0) / c.length);
  const residual = cols.reduce((s, c, k) => s + c.reduce((t, v) => t + (v - colMeans[k]!) ** 2, 0), 0);
  const total = values.reduce((s, v) => s + (v - mean) ** 2, 0);
  const perColumn = regressionMetrics(tf.tile(tf.tensor2d([colMeans]), [3, 1]), target);
  assert.ok(Math.abs(perColumn.val_R2! - (1 - residual / total)) < 1e-6);
  assert.ok(Math.abs(perColumn.val_MSE! - residual / 12) < 1e-6);
  tf.dispose([target]);
});

void test('top-1 / top-5 fractions on a trivially separable case and its permutation', () => {
  const labels = tf.tensor1d([0, 1, 2, 1], 'int32');
  const separable = tf.cast(tf.oneHot(labels, 6), 'float32') as tf.Tensor2D;
  assert.deepEqual(classificationMetrics(separable, labels), { 'val top-1': 1, 'val top-5': 1 });
  const wrong = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d([1, 2, 0, 0], 'int32'), 6), 'float32')) as tf.Tensor2D;
  assert.equal(classificationMetrics(wrong, labels)['val top-1'], 0);
  tf.dispose([labels, separable, wrong]);
});

void test('parts: full = all D dims, inv = first D − e, equi = last e; bad e names config.equi_dims', () => {
  assert.deepEqual(partColumns('full', 512, undefined), { from: 0, width: 512 });
  assert.deepEqual(partColumns('inv', 512, 256), { from: 0, width: 256 });
  assert.deepEqual(partColumns('equi', 512, 128), { from: 384, width: 128 });
  assert.throws(() => partColumns('equi', 512, undefined), /config\.equi_dims: required/);
  assert.throws(() => partColumns('inv', 32, 32), /config\.equi_dims: must be in 1\.\.31/);
});
