import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend, wasmThreadsPatched } from './select-backend';
import { checkBackboneCase } from '../testing/golden/backbone.case';
import { conv2d } from '../ops/conv2d.op';

// Own process (node --test runs each file separately): the first wasm initialisation fixes the thread count.
void test('wasm with 2 threads (patched Node bundle) runs the backbone golden case and exits cleanly', async (t) => {
  if (!wasmThreadsPatched()) {
    t.skip('patches/@tensorflow+tfjs-backend-wasm+4.22.0.patch not applied');
    return;
  }
  const info = await selectBackend('wasm', { threads: 2 });
  assert.equal(info.backend, 'wasm');
  assert.equal(info.threads, 2);
  // A convolution big enough for XNNPACK to split across threads agrees with the cpu backend.
  const got = tf.tidy(() => {
    const x = tf.randomUniform<tf.Rank.R4>([4, 16, 16, 16], -1, 1, 'float32', 5);
    const w = tf.randomUniform<tf.Rank.R4>([3, 3, 16, 32], -1, 1, 'float32', 6);
    return Array.from(conv2d(x, w, { stride: 1, pad: [1, 1, 1, 1] }).dataSync());
  });
  const dir = process.env.SIE_GOLDEN_DIR ?? path.resolve(__dirname, '../../../../../shared/golden');
  const file = path.join(dir, 'backbone_w0125_32px.json');
  if (fs.existsSync(file)) checkBackboneCase(JSON.parse(fs.readFileSync(file, 'utf8')) as unknown);
  await selectBackend('cpu');
  const want = tf.tidy(() => {
    const x = tf.randomUniform<tf.Rank.R4>([4, 16, 16, 16], -1, 1, 'float32', 5);
    const w = tf.randomUniform<tf.Rank.R4>([3, 3, 16, 32], -1, 1, 'float32', 6);
    return Array.from(tf.conv2d(x, w, 1, 'same').dataSync());
  });
  const worst = got.reduce((m, v, i) => Math.max(m, Math.abs(v - (want[i] as number))), 0);
  assert.ok(worst < 1e-4, `2-thread wasm conv differs from cpu by ${worst}`);
});
