import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend/select-backend';
import { assertClose, randomArray } from './tensor-assert';
import { BN_EPS, batchNormTrain, reluOut, type BatchStats } from './batch-norm.op';

const SHAPES: number[][] = [
  [4, 5, 5, 3],
  [2, 3, 4, 8],
  [6, 7],
];

interface Result {
  y: Float32Array;
  dx: Float32Array;
  dg: Float32Array;
  db: Float32Array;
  mean?: Float32Array;
  variance?: Float32Array;
}

function make(shape: number[], seed: number) {
  const c = shape[shape.length - 1] as number;
  const n = shape.reduce((a, b) => a * b, 1);
  // A shifted, scaled input: the mean is not zero and channels differ in scale.
  const x = tf.add(tf.mul(tf.tensor(randomArray(n, seed), shape), 3), 1.5);
  const g = tf.tensor1d(randomArray(c, seed + 1));
  const b = tf.tensor1d(randomArray(c, seed + 2));
  const r = tf.tensor(randomArray(n, seed + 3), shape);
  return { x, g, b, r };
}

function run(shape: number[], seed: number, custom: boolean): Result {
  return tf.tidy(() => {
    const { x, g, b, r } = make(shape, seed);
    const axes = shape.slice(0, -1).map((_, i) => i);
    let stats: { mean: Float32Array; variance: Float32Array } | undefined;
    const f = (a: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor): tf.Tensor => {
      if (custom)
        return batchNormTrain(a, gg as tf.Tensor1D, bb as tf.Tensor1D, (s: BatchStats) => {
          stats = { mean: s.mean.dataSync() as Float32Array, variance: s.variance.dataSync() as Float32Array };
        });
      const { mean, variance } = tf.moments(a, axes);
      return tf.add(tf.mul(tf.div(tf.sub(a, mean), tf.sqrt(tf.add(variance, BN_EPS))), gg), bb);
    };
    const y = f(x, g, b);
    const [dx, dg, db] = tf.grads((a: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(f(a, gg, bb), r)))([x, g, b]) as [
      tf.Tensor,
      tf.Tensor,
      tf.Tensor,
    ];
    return {
      y: y.dataSync() as Float32Array,
      dx: dx.dataSync() as Float32Array,
      dg: dg.dataSync() as Float32Array,
      db: db.dataSync() as Float32Array,
      ...stats,
    };
  });
}

void test('batch norm closed-form backward matches autodiff of the textbook formula on cpu and wasm', async () => {
  await selectBackend('cpu');
  const refs = SHAPES.map((s, i) => run(s, 10 * i + 3, false));
  const momentsRef = SHAPES.map((s, i) =>
    tf.tidy(() => {
      const { x } = make(s, 10 * i + 3);
      const m = tf.moments(x, s.slice(0, -1).map((_, k) => k));
      return { mean: m.mean.dataSync() as Float32Array, variance: m.variance.dataSync() as Float32Array };
    }),
  );
  for (const backend of ['cpu', 'wasm'] as const) {
    await selectBackend(backend);
    const before = tf.memory().numTensors;
    SHAPES.forEach((s, i) => {
      const got = run(s, 10 * i + 3, true);
      const ref = refs[i] as Result;
      const what = `${backend} [${s.join(',')}]`;
      assertClose(got.y, ref.y, 3e-5, `${what} y`);
      assertClose(got.dx, ref.dx, 3e-5, `${what} dx`);
      assertClose(got.dg, ref.dg, 3e-5, `${what} dgamma`);
      assertClose(got.db, ref.db, 3e-5, `${what} dbeta`);
      assert.ok(got.mean && got.variance, 'batch statistics reported');
      assertClose(got.mean, momentsRef[i]!.mean, 1e-5, `${what} mean`);
      assertClose(got.variance, momentsRef[i]!.variance, 1e-5, `${what} biased variance`);
    });
    assert.equal(tf.memory().numTensors, before, `${backend}: tensors leaked`);
  }
});

void test('reluOut has the ReLU value and gradient', async () => {
  await selectBackend('wasm');
  tf.tidy(() => {
    const x = tf.tensor1d([-2, -0.5, 0.5, 3]);
    const r = tf.tensor1d([1, 2, 3, 4]);
    assert.deepEqual(Array.from(reluOut(x).dataSync()), [0, 0, 0.5, 3]);
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(reluOut(a), r)))(x);
    assert.deepEqual(Array.from(g.dataSync()), [0, 0, 3, 4]);
  });
});

void test('wasm: batch statistics over many values per channel stay accurate where the mean dwarfs the spread', async () => {
  // The stem's batch norm at 64 px, batch 32, sees 32,768 values per channel. wasm reduces in float32; in one
  // pass that lost ~1e-6 of the mean, which x − μ turned into errors of ~1e-3 in x̂ (and in the backbone's
  // gradients) for channels like the first one here: mean 3, spread 0.003.
  await selectBackend('wasm');
  const [b, h, w, c] = [32, 32, 32, 2];
  const n = b * h * w;
  const x = new Float32Array(n * c);
  let state = 1;
  const uniform = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < n; i++) {
    x[i * c] = 3 + 0.003 * (uniform() - 0.5);
    x[i * c + 1] = uniform();
  }
  const exact = new Float64Array(n * c);
  for (let ch = 0; ch < c; ch++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += x[i * c + ch] as number;
    mean /= n;
    let variance = 0;
    for (let i = 0; i < n; i++) variance += ((x[i * c + ch] as number) - mean) ** 2;
    variance /= n;
    for (let i = 0; i < n; i++) exact[i * c + ch] = ((x[i * c + ch] as number) - mean) / Math.sqrt(variance + BN_EPS);
  }
  const y = tf.tidy(() => batchNormTrain(tf.tensor4d(x, [b, h, w, c]), tf.ones([c]), tf.zeros([c])).dataSync());
  let worst = 0;
  for (let i = 0; i < y.length; i++) worst = Math.max(worst, Math.abs((y[i] as number) - (exact[i] as number)));
  assert.ok(worst < 1e-4, `max |x̂ − exact| = ${worst.toExponential(2)}`);
});
