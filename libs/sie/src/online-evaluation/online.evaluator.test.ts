import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { OnlineEvaluator, defaultPartProbes } from './online.evaluator';

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

void test('the heads learn: R² → ~1 and top-1 → ~1 when the targets are functions of the features', async () => {
  await import('../backend/register-gradients');
  const { AdamOptimizer } = await import('../train/adam.optimizer');
  const dims = { invRepr: 3, equiRepr: 3, invEmb: 3, equiEmb: 3 };
  const evaluator = new OnlineEvaluator({ reprDim: 6, embDim: 6, dims, numClasses: 3, seed: 3 });
  const optimizer = new AdamOptimizer(evaluator.parameters(), { lr: 3e-3 });
  const variables = evaluator.parameters().map((p) => p.variable);
  const mixing = tf.randomNormal([3, 4], 0, 0.5, 'float32', 21);
  let last: Record<string, number> = {};
  for (let step = 0; step < 300; step++) {
    const { grads, metrics } = tf.tidy(() => {
      // Shared invariant dims (the class is their argmax), view-specific equivariant dims; z = (e_y − e_x)·M.
      const inv = tf.randomNormal([32, 3], 0, 1, 'float32', 100 + step);
      const ex = tf.randomNormal([32, 3], 0, 1, 'float32', 5000 + step);
      const ey = tf.randomNormal([32, 3], 0, 1, 'float32', 9000 + step);
      const hx = tf.concat([inv, ex], 1) as tf.Tensor2D;
      const hy = tf.concat([inv, ey], 1) as tf.Tensor2D;
      const z = tf.matMul<tf.Tensor2D>(tf.sub(ey, ex), mixing);
      const labels = tf.cast(tf.argMax(inv, 1), 'int32') as tf.Tensor1D;
      let metricValues: Record<string, tf.Scalar> = {};
      const result = tf.variableGrads(() => {
        const out = evaluator.apply({ hx, hy, embX: hx, embY: hy, z, labels }, step === 299);
        metricValues = out.metrics;
        Object.values(out.metrics).forEach((m) => tf.keep(m));
        return out.loss;
      }, variables);
      return { grads: result.grads, metrics: metricValues };
    });
    optimizer.apply(grads);
    tf.dispose(grads);
    last = Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, v.dataSync()[0] as number]));
    tf.dispose(Object.values(metrics));
  }
  const report = JSON.stringify(last);
  assert.ok((last['Online eval reprs/Top-1 representations-inv'] as number) > 0.85, report);
  assert.ok((last['Online eval reprs/R2 representations-equi'] as number) > 0.9, report);
  assert.ok((last['Online eval embs/R2 embeddings'] as number) > 0.9, report);
  evaluator.dispose();
  optimizer.dispose();
  mixing.dispose();
});

void test('part probes: a split method probes its invariant and equivariant parts, others the two halves', () => {
  assert.deepEqual(defaultPartProbes(128, { invRepr: 64, equiRepr: 64, invEmb: 256, equiEmb: 256 }), [
    [0, 64],
    [64, 128],
  ]);
  assert.deepEqual(defaultPartProbes(128, { invRepr: 96, equiRepr: 32, invEmb: 384, equiEmb: 128 }), [
    [0, 96],
    [96, 128],
  ]);
  assert.deepEqual(defaultPartProbes(128, { invRepr: 128, equiRepr: 0, invEmb: 512, equiEmb: 0 }), [
    [0, 64],
    [64, 128],
  ]);
  assert.throws(
    () => new OnlineEvaluator({ reprDim: 8, embDim: 8, dims: { invRepr: 8, equiRepr: 0, invEmb: 8, equiEmb: 0 }, numClasses: 3, seed: 1, partProbes: [[4, 9]] }),
    /partProbes: \[4, 9\)/,
  );
});

void test('part probes are separate heads: their own parameters, their own loss, extra/ tags beside the reference tags', () => {
  const dims = { invRepr: 5, equiRepr: 3, invEmb: 6, equiEmb: 6 };
  const plain = new OnlineEvaluator({ reprDim: 8, embDim: 12, dims, numClasses: 7, seed: 1 });
  const probed = new OnlineEvaluator({ reprDim: 8, embDim: 12, dims, numClasses: 7, seed: 1, partProbes: defaultPartProbes(8, dims) });
  assert.deepEqual(
    probed.parameters().map((p) => p.name),
    plain.parameters().map((p) => p.name),
  );
  assert.deepEqual(
    probed.probeParameters().map((p) => `${p.name}:${p.variable.shape.join('x')}`),
    ['probe_repr_0_5.0.weight:10x10', 'probe_repr_0_5.0.bias:10', 'probe_repr_0_5.2.weight:10x10', 'probe_repr_0_5.2.bias:10', 'probe_repr_0_5.4.weight:10x4', 'probe_repr_0_5.4.bias:4',
      'probe_repr_5_8.0.weight:6x6', 'probe_repr_5_8.0.bias:6', 'probe_repr_5_8.2.weight:6x6', 'probe_repr_5_8.2.bias:6', 'probe_repr_5_8.4.weight:6x4', 'probe_repr_5_8.4.bias:4'],
  );
  assert.deepEqual(
    probed.metricKeys().filter((k) => k.startsWith('extra/')),
    ['extra/R2 repr[0:5]', 'extra/R2 repr[5:8]'],
  );
  const inputs = () => ({
    hx: tf.randomNormal<tf.Rank.R2>([4, 8], 0, 1, 'float32', 1),
    hy: tf.randomNormal<tf.Rank.R2>([4, 8], 0, 1, 'float32', 2),
    embX: tf.randomNormal<tf.Rank.R2>([4, 12], 0, 1, 'float32', 3),
    embY: tf.randomNormal<tf.Rank.R2>([4, 12], 0, 1, 'float32', 4),
    z: tf.randomNormal<tf.Rank.R2>([4, 4], 0, 1, 'float32', 5),
    labels: tf.tensor1d([0, 1, 6, 3], 'int32'),
  });
  const [a, b] = tf.tidy(() => {
    const x = inputs();
    const p = plain.apply(x, true);
    const q = probed.apply(x, true);
    assert.equal(p.probeLoss, null);
    assert.ok(q.probeLoss !== null);
    assert.ok(q.metrics['extra/R2 repr[5:8]'] !== undefined);
    // The reference's heads and their loss are unchanged by the probes beside them.
    return [p.loss.dataSync()[0] as number, q.loss.dataSync()[0] as number];
  });
  assert.equal(a, b);
  plain.dispose();
  probed.dispose();
});
