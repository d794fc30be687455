import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { OnlineEvaluator } from './online.evaluator';
import { r2Score, topKAccuracy } from './evaluator.metrics';
import { correlationStat, stdStat } from './representation.stats';

tf.setBackend('cpu');
const goldenDir = process.env.SIE_GOLDEN_DIR ?? path.resolve(__dirname, '../../../../../shared/golden');

test('R² (global target mean) and top-k fractions match the golden values', () => {
  const golden = JSON.parse(readFileSync(path.join(goldenDir, 'metrics.json'), 'utf8')) as {
    r2: { output: number[][]; target: number[][]; expected: number };
    topk: { logits: number[][]; labels: number[]; expected_top1: number; expected_top5: number };
  };
  const r2 = tf.tidy(() => r2Score(tf.tensor2d(golden.r2.output), tf.tensor2d(golden.r2.target)).dataSync()[0]);
  assert.ok(Math.abs((r2 as number) - golden.r2.expected) < 1e-5, `${r2} vs ${golden.r2.expected}`);
  const [top1, top5] = tf.tidy(() => {
    const logits = tf.tensor2d(golden.topk.logits);
    const labels = tf.tensor1d(golden.topk.labels, 'int32');
    return [topKAccuracy(logits, labels, 1).dataSync()[0], topKAccuracy(logits, labels, 5).dataSync()[0]];
  });
  assert.ok(Math.abs((top1 as number) - golden.topk.expected_top1) < 1e-6);
  assert.ok(Math.abs((top5 as number) - golden.topk.expected_top5) < 1e-6);
});

test('evaluator builds the reference heads for SIE-like dims and emits the reference tags', () => {
  const evaluator = new OnlineEvaluator({ reprDim: 8, embDim: 12, dims: { invRepr: 5, equiRepr: 3, invEmb: 6, equiEmb: 6 }, numClasses: 7, seed: 1 });
  const shapes = evaluator.parameters().map((p) => `${p.name}:${p.variable.shape.join('x')}`);
  assert.ok(shapes.includes('classifier_repr.weight:8x7'));
  assert.ok(shapes.includes('classifier_repr_inv.weight:5x7'));
  assert.ok(shapes.includes('classifier_emb_inv.weight:6x7'));
  assert.ok(shapes.includes('regressor_repr_equi.0.weight:6x6'));
  assert.ok(shapes.includes('regressor_emb.4.weight:24x4'));
  const keys = evaluator.metricKeys();
  for (const key of ['Online eval reprs/Top-1 representations-inv', 'Online eval embs/R2 embeddings-equi', 'Online eval reprs/MSE representations']) {
    assert.ok(keys.includes(key), key);
  }
  const before = tf.memory().numTensors;
  const out = tf.tidy(() => {
    const { loss, metrics } = evaluator.apply(
      {
        hx: tf.randomNormal([4, 8], 0, 1, 'float32', 1),
        hy: tf.randomNormal([4, 8], 0, 1, 'float32', 2),
        embX: tf.randomNormal([4, 12], 0, 1, 'float32', 3),
        embY: tf.randomNormal([4, 12], 0, 1, 'float32', 4),
        z: tf.randomNormal([4, 6], 0, 1, 'float32', 5),
        labels: tf.tensor1d([0, 1, 6, 3], 'int32'),
      },
      true,
    );
    return { loss: loss.dataSync()[0] as number, metrics: Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, v.dataSync()[0] as number])) };
  });
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(Object.keys(out.metrics).sort(), [...keys].sort());
  // Loss = Σ CE + Σ MSE.
  const sum = Object.entries(out.metrics).filter(([k]) => /\/(CE|MSE) /.test(k)).reduce((a, [, v]) => a + v, 0);
  assert.ok(Math.abs(out.loss - sum) < 1e-4);
  for (const [key, value] of Object.entries(out.metrics)) {
    if (/Top-/.test(key)) assert.ok(value >= 0 && value <= 1, key);
  }
  assert.ok((out.metrics['Online eval reprs/Top-5 representations'] as number) >= (out.metrics['Online eval reprs/Top-1 representations'] as number));
  evaluator.dispose();
});

test('VICReg-like dims (no equivariant part) build no equi heads; bad dims are rejected naming the field', () => {
  const evaluator = new OnlineEvaluator({ reprDim: 8, embDim: 12, dims: { invRepr: 8, equiRepr: 0, invEmb: 12, equiEmb: 0 }, numClasses: 3, seed: 1 });
  assert.ok(!evaluator.metricKeys().some((k) => k.endsWith('-equi')));
  evaluator.dispose();
  assert.throws(() => new OnlineEvaluator({ reprDim: 8, embDim: 12, dims: { invRepr: 8, equiRepr: 4, invEmb: 0, equiEmb: 0 }, numClasses: 3, seed: 1 }), /invRepr \+ equiRepr/);
});

test('representation stats: orthogonal directions have std ≈ 1/√d-like spread, collapse gives 0', () => {
  const [collapsedStd, collapsedCorr] = tf.tidy(() => {
    const x = tf.ones([6, 4]) as tf.Tensor2D;
    return [stdStat(x).dataSync()[0], correlationStat(x).dataSync()[0]];
  });
  assert.ok(Math.abs(collapsedStd as number) < 1e-6);
  assert.ok(Math.abs(collapsedCorr as number) < 1e-6);
  // Perfectly correlated columns → correlation ≈ 1.
  const corr = tf.tidy(() => {
    const col = tf.tensor2d([[1], [2], [3], [4]]);
    return correlationStat(tf.concat([col, tf.mul(col, 2), tf.add(col, 1)], 1) as tf.Tensor2D).dataSync()[0];
  });
  assert.ok(Math.abs((corr as number) - 1) < 1e-3, String(corr));
});
