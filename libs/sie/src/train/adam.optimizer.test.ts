import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { AdamOptimizer } from './adam.optimizer';

void tf.setBackend('cpu');

/** float64 PyTorch Adam (coupled weight decay) on one parameter vector. */
function referenceAdam(p: number[], grads: number[][], lr: number, wd: number): number[] {
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  const out = [...p];
  grads.forEach((g, t) => {
    const step = t + 1;
    for (let i = 0; i < out.length; i++) {
      const gi = (g[i] as number) + wd * (out[i] as number);
      m[i] = b1 * (m[i] as number) + (1 - b1) * gi;
      v[i] = b2 * (v[i] as number) + (1 - b2) * gi * gi;
      const denom = Math.sqrt(v[i] as number) / Math.sqrt(1 - b2 ** step) + eps;
      out[i] = (out[i] as number) - (lr / (1 - b1 ** step)) * ((m[i] as number) / denom);
    }
  });
  return out;
}

void test('Adam matches the PyTorch update rule with coupled weight decay over several steps', () => {
  const initial = [0.5, -1.5, 2, 0.01];
  const grads = [
    [0.1, -0.2, 0.3, 0],
    [-0.05, 0.4, 0.1, 0.02],
    [0.2, 0.2, -0.3, -0.01],
  ];
  const p = tf.variable(tf.tensor1d(initial), true, 'adam-test-p');
  const optimizer = new AdamOptimizer([{ name: 'p', variable: p }], { lr: 0.01, weightDecay: 0.1 });
  for (const g of grads) {
    const grad = tf.tensor1d(g);
    optimizer.apply({ [p.name]: grad });
    grad.dispose();
  }
  const expected = referenceAdam(initial, grads, 0.01, 0.1);
  const actual = Array.from(p.dataSync());
  actual.forEach((value, i) => assert.ok(Math.abs(value - (expected[i] as number)) < 1e-6, `entry ${i}: ${value} vs ${expected[i]}`));
  optimizer.dispose();
  p.dispose();
});

void test('weight decay is coupled: with a zero gradient the first step is a full lr step towards 0 (not lr·wd·p)', () => {
  const p = tf.variable(tf.tensor1d([3, -2]), true, 'adam-test-coupled');
  const optimizer = new AdamOptimizer([{ name: 'p', variable: p }], { lr: 0.1, weightDecay: 1e-3 });
  const grad = tf.zeros([2]);
  optimizer.apply({ [p.name]: grad });
  const [a, b] = Array.from(p.dataSync());
  // AdamW would give 3 − 0.1·1e-3·3 = 2.9997; coupled Adam normalises g = wd·p to a unit step.
  assert.ok(Math.abs((a as number) - 2.9) < 1e-4, String(a));
  assert.ok(Math.abs((b as number) + 1.9) < 1e-4, String(b));
  tf.dispose([grad, p]);
  optimizer.dispose();
});

void test('parameters without a gradient are left alone and their step count does not advance', () => {
  const a = tf.variable(tf.tensor1d([1]), true, 'adam-test-a');
  const b = tf.variable(tf.tensor1d([1]), true, 'adam-test-b');
  const optimizer = new AdamOptimizer(
    [
      { name: 'a', variable: a },
      { name: 'b', variable: b },
    ],
    { lr: 0.1, weightDecay: 0.5 },
  );
  const grad = tf.tensor1d([1]);
  optimizer.apply({ [a.name]: grad });
  assert.equal(b.dataSync()[0], 1);
  assert.deepEqual(optimizer.state().steps, { a: 1 });
  tf.dispose([grad, a, b]);
  optimizer.dispose();
});

void test('state() and load() round-trip: a restored optimizer continues identically', () => {
  const make = (name: string) => tf.variable(tf.tensor1d([0.3, -0.7]), true, name);
  const p1 = make('adam-rt-1');
  const p2 = make('adam-rt-2');
  const o1 = new AdamOptimizer([{ name: 'p', variable: p1 }], { lr: 0.05, weightDecay: 0.01 });
  const g = tf.tensor1d([0.2, -0.1]);
  o1.apply({ [p1.name]: g });
  const o2 = new AdamOptimizer([{ name: 'p', variable: p2 }], { lr: 0.05, weightDecay: 0.01 });
  p2.assign(p1);
  o2.load(o1.state());
  o1.apply({ [p1.name]: g });
  o2.apply({ [p2.name]: g });
  assert.deepEqual(Array.from(p2.dataSync()), Array.from(p1.dataSync()));
  assert.throws(() => o2.load({ steps: { q: 1 }, m: {}, v: {} }), /unknown parameter "q"/);
  tf.dispose([g, p1, p2]);
  o1.dispose();
  o2.dispose();
});

void test('parameter groups: each group decays with its own weight decay, as separate torch.optim.Adam instances would', () => {
  const decayed = tf.variable(tf.tensor1d([1, -2]), true, 'adam-group-decayed');
  const plain = tf.variable(tf.tensor1d([1, -2]), true, 'adam-group-plain');
  const optimizer = new AdamOptimizer([{ name: 'decayed', variable: decayed }], { lr: 0.01, weightDecay: 0.5 }, [
    { params: [{ name: 'plain', variable: plain }], weightDecay: 0 },
  ]);
  const grads = [
    [0.1, 0.3],
    [-0.2, 0.1],
  ];
  for (const g of grads) {
    const g1 = tf.tensor1d(g);
    const g2 = tf.tensor1d(g);
    optimizer.apply({ [decayed.name]: g1, [plain.name]: g2 });
    tf.dispose([g1, g2]);
  }
  const expectDecayed = referenceAdam([1, -2], grads, 0.01, 0.5);
  const expectPlain = referenceAdam([1, -2], grads, 0.01, 0);
  Array.from(decayed.dataSync()).forEach((v, i) => assert.ok(Math.abs(v - (expectDecayed[i] as number)) < 1e-6));
  Array.from(plain.dataSync()).forEach((v, i) => assert.ok(Math.abs(v - (expectPlain[i] as number)) < 1e-6));
  assert.notDeepEqual(Array.from(decayed.dataSync()), Array.from(plain.dataSync()));
  optimizer.dispose();
  tf.dispose([decayed, plain]);
});
