import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { OnlineEvaluator } from './online.evaluator';

void tf.setBackend('cpu');

void test('evaluator builds the reference heads for SIE-like dims and emits the reference tags', () => {
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

void test('VICReg-like dims (no equivariant part) build no equi heads; bad dims are rejected naming the field', () => {
  const evaluator = new OnlineEvaluator({ reprDim: 8, embDim: 12, dims: { invRepr: 8, equiRepr: 0, invEmb: 12, equiEmb: 0 }, numClasses: 3, seed: 1 });
  assert.ok(!evaluator.metricKeys().some((k) => k.endsWith('-equi')));
  evaluator.dispose();
  assert.throws(() => new OnlineEvaluator({ reprDim: 8, embDim: 12, dims: { invRepr: 8, equiRepr: 4, invEmb: 0, equiEmb: 0 }, numClasses: 3, seed: 1 }), /invRepr \+ equiRepr/);
});
