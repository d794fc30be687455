import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { BackendError, selectBackend } from './select-backend';

void test('cpu backend is selected and described', async () => {
  const info = await selectBackend('cpu');
  assert.equal(info.backend, 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
  assert.equal(info.threads, 1);
});

void test('wasm backend loads its binary from the package in Node and computes', async () => {
  const info = await selectBackend('wasm');
  assert.equal(info.backend, 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
  assert.ok(info.threads !== null && info.threads >= 1);
  const y = tf.tidy(() => tf.sum(tf.mul(tf.tensor1d([1, 2, 3]), 2)));
  assert.equal((await y.data())[0], 12);
  y.dispose();
});

void test('auto picks the fastest installed backend (wasm here, tfjs-node being absent)', async () => {
  let hasNode = true;
  try {
    require.resolve('@tensorflow/tfjs-node');
  } catch {
    hasNode = false;
  }
  const info = await selectBackend('auto');
  if (!hasNode) assert.equal(info.backend, 'wasm');
  assert.equal(tf.getBackend(), info.backend === 'tensorflow-gpu' ? 'tensorflow' : info.backend);
});

for (const [name, pkg] of [
  ['tensorflow', '@tensorflow/tfjs-node'],
  ['tensorflow-gpu', '@tensorflow/tfjs-node-gpu'],
] as const) {
  void test(`${name} without ${pkg} fails with an install hint, no fallback`, async (t) => {
    try {
      require.resolve(pkg);
      t.skip(`${pkg} is installed`);
      return;
    } catch {
      // expected here
    }
    await selectBackend('wasm');
    await assert.rejects(selectBackend(name), (e: unknown) => {
      assert.ok(e instanceof BackendError);
      assert.equal(e.code, 'not-installed');
      assert.match(e.message, new RegExp(pkg.replace('/', '\\/')));
      assert.match(e.message, /npm install/);
      return true;
    });
    assert.equal(tf.getBackend(), 'wasm');
  });
}

void test('bad options name the field', async () => {
  await assert.rejects(selectBackend('webgl' as never), /backend: 'webgl' is not one of/);
  await assert.rejects(selectBackend('wasm', { threads: 0 }), /threads: must be an integer/);
});

void test('wasm clones alias their data (tape-saved activations are not copied)', async () => {
  await selectBackend('wasm');
  tf.tidy(() => {
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const c = tf.clone(x);
    assert.equal(c.dataId, x.dataId);
    x.dispose();
    assert.deepEqual(Array.from(c.dataSync()), [1, 2, 3, 4], 'the alias survives the original');
    const s = tf.clone(tf.tensor1d(['a', 'b'], 'string'));
    assert.deepEqual(s.dataSync(), ['a', 'b']);
  });
});
