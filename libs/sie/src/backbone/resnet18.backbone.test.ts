import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend/select-backend';
import { createResnet18, resnet18Channels } from './resnet18.backbone';

void test('width 1: 11,180,736 trainable parameters with the reference names', async () => {
  await selectBackend('wasm');
  const before = tf.memory().numTensors;
  const net = createResnet18();
  try {
    assert.equal(net.parameterCount(), 11_180_736);
    assert.equal(net.outDim, 512);
    const names = net.parameters().map((p) => p.name);
    assert.equal(new Set(names).size, names.length, 'names are unique');
    assert.deepEqual(names.slice(0, 6), ['stem.conv', 'stem.bn.gamma', 'stem.bn.beta', 'layer1.0.conv1', 'layer1.0.bn1.gamma', 'layer1.0.bn1.beta']);
    for (const s of [1, 2, 3, 4]) assert.ok(names.includes(`layer${s}.0.shortcut.conv`), `layer${s} has a projection shortcut`);
    assert.ok(!names.includes('layer1.1.shortcut.conv'));
    const byName = new Map(net.parameters().map((p) => [p.name, p.variable]));
    assert.deepEqual(byName.get('stem.conv')?.shape, [7, 7, 3, 64]);
    assert.deepEqual(byName.get('layer4.0.shortcut.conv')?.shape, [1, 1, 256, 512]);
    // zero-init residual: γ of every bn2 is 0, other BNs 1.
    const sum = (n: string) => tf.tidy(() => (byName.get(n) as tf.Variable).sum().dataSync()[0]);
    assert.equal(sum('layer3.1.bn2.gamma'), 0);
    assert.equal(sum('layer3.1.bn1.gamma'), 256);
    assert.equal(sum('layer2.0.shortcut.bn.gamma'), 128);
    // Kaiming normal fan_out: std √(2/(9·512)) for a 3×3 conv into 512 channels.
    const w = byName.get('layer4.1.conv1') as tf.Variable;
    const std = tf.tidy(() => Math.sqrt(tf.mean(tf.square(w)).dataSync()[0] as number));
    assert.ok(Math.abs(std / Math.sqrt(2 / (9 * 512)) - 1) < 0.02, `init std ${std}`);
    assert.equal(net.buffers().length, 2 * (1 + 4 * 2 * 2 + 4));
  } finally {
    net.dispose();
  }
  assert.equal(tf.memory().numTensors, before, 'dispose frees every variable');
});

void test('tiny width: forward shape, running statistics, gradients for every parameter, no leaks', async () => {
  await selectBackend('wasm');
  assert.deepEqual(resnet18Channels(0.125), [8, 16, 32, 64]);
  const net = createResnet18({ widthMultiplier: 0.0625, seed: 3 });
  const x = tf.randomNormal<tf.Rank.R4>([4, 32, 32, 3], 0, 1, 'float32', 1);
  try {
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(net.apply(x, true))));
    assert.deepEqual(Object.keys(grads).length, net.parameters().length, 'a gradient per parameter');
    for (const p of net.parameters()) {
      const g = grads[p.variable.name];
      assert.ok(g, `${p.name} has a gradient`);
      assert.ok(Number.isFinite(tf.tidy(() => g.sum().dataSync()[0] as number)), `${p.name} gradient finite`);
    }
    assert.ok((value.dataSync()[0] as number) > 0);
    value.dispose();
    tf.dispose(grads);
    assert.equal(tf.memory().numTensors, before, 'training step leaks no tensor');
    // The stem's running mean moved by momentum 0.1 towards the batch mean; running var is unbiased.
    const rm = net.buffers().find((b) => b.name === 'stem.bn.running_mean')?.variable;
    assert.ok(rm && tf.tidy(() => Math.abs(rm.sum().dataSync()[0] as number)) > 0);
    const y = net.apply(x, false);
    assert.deepEqual(y.shape, [4, 32]);
    y.dispose();
    assert.throws(() => net.apply(tf.zeros<tf.Rank.R4>([1, 30, 32, 3]), true), /multiples of 32/);
    assert.throws(() => tf.grad((a: tf.Tensor) => tf.sum(net.apply(a as tf.Tensor4D, true)))(x), /gradient/i);
  } finally {
    x.dispose();
    net.dispose();
  }
});

void test('running statistics follow PyTorch: momentum 0.1, unbiased variance', async () => {
  await selectBackend('cpu');
  const { BatchNormLayer } = await import('./batch-norm.layer');
  const bn = new BatchNormLayer('bn', 2);
  tf.tidy(() => {
    const x = tf.tensor2d([
      [1, 10],
      [3, 14],
      [5, 12],
    ]);
    bn.apply(x, true);
    const mean = Array.from(bn.runningMean.dataSync());
    const rv = Array.from(bn.runningVar.dataSync());
    assert.ok(Math.abs((mean[0] as number) - 0.3) < 1e-6 && Math.abs((mean[1] as number) - 1.2) < 1e-6);
    // unbiased variances 4 and 4: 0.9·1 + 0.1·4 = 1.3
    assert.ok(Math.abs((rv[0] as number) - 1.3) < 1e-6 && Math.abs((rv[1] as number) - 1.3) < 1e-6, `running var ${rv.join(", ")}`);
  });
  bn.dispose();
});
