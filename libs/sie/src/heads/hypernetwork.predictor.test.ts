import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend/select-backend';
import { assertClose, randomArray } from '../ops/tensor-assert';
import { HypernetworkPredictor, type HypernetworkOptions } from './hypernetwork.predictor';
import { MlpPredictor } from './mlp.predictor';
import { SeedStream } from './seed.stream';

before(async () => {
  await selectBackend('cpu');
});

const BASE: HypernetworkOptions = {
  hypernetwork: 'linear',
  hidden: [],
  predictorRelu: false,
  biasPred: false,
  biasHypernet: false,
};
const VARIANTS: [string, Partial<HypernetworkOptions>][] = [
  ['linear', {}],
  ['linear + bias_hypernet', { biasHypernet: true }],
  ['linear + bias_pred', { biasPred: true }],
  ['linear + both biases', { biasPred: true, biasHypernet: true }],
  ['hidden layers + relu', { hidden: [5, 3], predictorRelu: true }],
  ['hidden layers, no relu, bias_pred', { hidden: [4], biasPred: true }],
  ['deep', { hypernetwork: 'deep' }],
  [
    'deep + biases + hidden',
    { hypernetwork: 'deep', biasHypernet: true, biasPred: true, hidden: [5], predictorRelu: true },
  ],
];

for (const [label, opts] of VARIANTS)
  void test(`hypernetwork fast path equals the materialised path: ${label}`, () => {
    const E = 6;
    const L = 4;
    const B = 5;
    const pred = new HypernetworkPredictor('predictor', E, L, { ...BASE, ...opts }, new SeedStream(3));
    tf.tidy(() => {
      const x = tf.tensor2d(randomArray(B * E, 1), [B, E]);
      const z = tf.tensor2d(randomArray(B * L, 2), [B, L]);
      assertClose(
        pred.apply(x, z, 'fast').dataSync(),
        pred.apply(x, z, 'general').dataSync(),
        1e-5,
        `${label} output`,
      );
      // gradients w.r.t. the input and every hypernetwork parameter agree as well
      const vars = pred.parameters().map((p) => p.variable);
      const grads = (path: 'fast' | 'general') =>
        tf.variableGrads(() => tf.sum<tf.Scalar>(tf.square(pred.apply(x, z, path))), vars).grads;
      const gf = grads('fast');
      const gg = grads('general');
      for (const v of vars)
        assertClose(gf[v.name]!.dataSync(), gg[v.name]!.dataSync(), 1e-4, `${label} grad ${v.name}`);
    });
    pred.dispose();
  });

void test('hypernetwork output size P and checkpoint names follow the reference layout', () => {
  const a = new HypernetworkPredictor('predictor', 6, 4, BASE, new SeedStream(1));
  assert.equal(a.paramCount, 36);
  assert.deepEqual(
    a.parameters().map((p) => [p.name, p.variable.shape]),
    [['predictor.hypernet.0.weight', [4, 36]]],
  );
  const b = new HypernetworkPredictor(
    'predictor',
    6,
    4,
    { ...BASE, hypernetwork: 'deep', biasPred: true, biasHypernet: true },
    new SeedStream(1),
  );
  assert.equal(b.paramCount, 42);
  assert.deepEqual(
    b.parameters().map((p) => p.name),
    [
      'predictor.hypernet.0.weight',
      'predictor.hypernet.0.bias',
      'predictor.hypernet.2.weight',
      'predictor.hypernet.2.bias',
      'predictor.hypernet.4.weight',
      'predictor.hypernet.4.bias',
    ],
  );
  const c = new HypernetworkPredictor('predictor', 6, 4, { ...BASE, hidden: [6] }, new SeedStream(1));
  assert.equal(c.paramCount, 72);
  for (const p of [a, b, c]) p.dispose();
});

void test('the default hypernetwork is bilinear: W(−z) = −W(z), W(z₁ + z₂) = W(z₁) + W(z₂)', () => {
  const pred = new HypernetworkPredictor('predictor', 8, 4, BASE, new SeedStream(7));
  tf.tidy(() => {
    const x = tf.tensor2d(randomArray(3 * 8, 4), [3, 8]);
    const z1 = tf.tensor2d(randomArray(12, 5), [3, 4]);
    const z2 = tf.tensor2d(randomArray(12, 6), [3, 4]);
    assertClose(pred.apply(x, tf.neg(z1)).dataSync(), tf.neg(pred.apply(x, z1)).dataSync(), 1e-6, 'W(−z)');
    assertClose(
      pred.apply(x, tf.add(z1, z2)).dataSync(),
      tf.add(pred.apply(x, z1), pred.apply(x, z2)).dataSync(),
      1e-5,
      'additivity',
    );
  });
  pred.dispose();
});

void test('hypernetwork initialisation is PyTorch Linear default: U(−1/√L, 1/√L), seeded', () => {
  const a = new HypernetworkPredictor('predictor', 16, 4, BASE, new SeedStream(11));
  const b = new HypernetworkPredictor('predictor', 16, 4, BASE, new SeedStream(11));
  const w = a.parameters()[0]!.variable.dataSync();
  assert.ok(w.every((v) => Math.abs(v) <= 0.5));
  assert.ok(Math.max(...w) > 0.45 && Math.min(...w) < -0.45, 'spans the ±1/√4 range');
  assert.deepEqual(Array.from(w), Array.from(b.parameters()[0]!.variable.dataSync()));
  a.dispose();
  b.dispose();
});

void test('the hypernetwork rejects a latent of the wrong width, naming z', () => {
  const pred = new HypernetworkPredictor('predictor', 6, 6, BASE, new SeedStream(1));
  tf.tidy(() => assert.throws(() => pred.apply(tf.zeros([2, 6]), tf.zeros([2, 4])), /6-D latent z/));
  pred.dispose();
});

void test('MLP predictor: latent first, affine with one layer, ReLU between layers', () => {
  const one = new MlpPredictor('predictor', 5, 4, 1, new SeedStream(2));
  assert.deepEqual(
    one.parameters().map((p) => [p.name, p.variable.shape]),
    [
      ['predictor.0.weight', [9, 5]],
      ['predictor.0.bias', [5]],
    ],
  );
  tf.tidy(() => {
    const x = tf.tensor2d(randomArray(10, 1), [2, 5]);
    const z = tf.tensor2d(randomArray(8, 2), [2, 4]);
    const [w, b] = one.parameters().map((p) => p.variable);
    const manual = tf.add(tf.matMul(tf.concat([z, x], 1), w!), b!);
    assertClose(one.apply(x, z).dataSync(), manual.dataSync(), 1e-6, 'affine map of concat(z, x)');
  });
  const three = new MlpPredictor('predictor', 5, 4, 3, new SeedStream(2));
  assert.deepEqual(
    three.parameters().map((p) => p.name),
    [
      'predictor.0.weight',
      'predictor.0.bias',
      'predictor.2.weight',
      'predictor.2.bias',
      'predictor.4.weight',
      'predictor.4.bias',
    ],
  );
  one.dispose();
  three.dispose();
});
