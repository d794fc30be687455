import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend/select-backend';
import { randomArray } from '../ops/tensor-assert';
import {
  meanNormalizedStd,
  meanOffDiagonalCorrelation,
  r2Score,
  representationStats,
  topKAccuracy,
} from './index';

before(async () => {
  await selectBackend('cpu');
});

const value = (t: tf.Tensor): number => t.dataSync()[0] as number;

void test('R² uses the scalar mean of the whole target', () => {
  tf.tidy(() => {
    const target = tf.tensor2d([0, 1, 2, 5, 1, 3], [3, 2]);
    const globalMean = tf.fill([3, 2], 2);
    assert.ok(Math.abs(value(r2Score(globalMean, target))) < 1e-6, 'constant global mean → 0');
    assert.equal(value(r2Score(target, target)), 1);
    // per-column means (1, 3) beat the global mean: 1 − Σ(t − col mean)² / Σ(t − 2)²
    const colMean = tf.tensor2d([1, 3, 1, 3, 1, 3], [3, 2]);
    assert.ok(Math.abs(value(r2Score(colMean, target)) - (1 - 10 / 16)) < 1e-6);
  });
});

void test('top-k accuracy is a fraction and top-5 ≥ top-1', () => {
  tf.tidy(() => {
    const logits = tf.tensor2d([
      [0.1, 0.9, 0.0],
      [0.8, 0.1, 0.3],
      [0.2, 0.3, 0.5],
      [0.6, 0.5, 0.4],
    ]);
    const labels = tf.tensor1d([1, 2, 2, 2], 'int32');
    assert.equal(value(topKAccuracy(logits, labels, 1)), 0.5);
    assert.equal(value(topKAccuracy(logits, labels, 2)), 0.75);
    assert.equal(value(topKAccuracy(logits, labels, 5)), 1);
  });
});

void test('representation stats: collapse → 0 std; isotropic features ≈ 1/√d and small correlation', () => {
  tf.tidy(() => {
    const collapsed = tf.fill<tf.Rank.R2>([16, 8], 2);
    assert.equal(value(meanNormalizedStd(collapsed)), 0);
    const n = 400;
    const d = 16;
    const iso = tf.randomNormal<tf.Rank.R2>([n, d], 0, 1, 'float32', 3);
    assert.ok(Math.abs(value(meanNormalizedStd(iso)) - 1 / Math.sqrt(d)) < 0.02);
    assert.ok(Math.abs(value(meanOffDiagonalCorrelation(iso))) < 0.02);
    // perfectly correlated columns → mean off-diagonal correlation ≈ 1
    const col = tf.tensor2d(randomArray(n, 1), [n, 1]);
    assert.ok(value(meanOffDiagonalCorrelation(tf.tile<tf.Tensor2D>(col, [1, 4]))) > 0.99);
  });
});

void test('representationStats returns the reference Stats/ tags as numbers without leaking tensors', () => {
  const x = tf.tensor2d(randomArray(8 * 6, 1), [8, 6]);
  const y = tf.tensor2d(randomArray(8 * 6, 2), [8, 6]);
  const before = tf.memory().numTensors;
  const stats = representationStats({ hx: x, hy: y, embX: x, embY: y, prediction: y });
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(Object.keys(stats).sort(), [
    'Stats/Corr. embeddings view1',
    'Stats/Corr. embeddings view2',
    'Stats/Corr. predictor output',
    'Stats/Corr. representations view1',
    'Stats/Corr. representations view2',
    'Stats/Std embeddings view1',
    'Stats/Std embeddings view2',
    'Stats/Std predictor output',
    'Stats/Std representations view1',
    'Stats/Std representations view2',
  ]);
  assert.ok(Object.values(stats).every(Number.isFinite));
  x.dispose();
  y.dispose();
});
