import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend/select-backend';
import { randomArray } from '../ops/tensor-assert';
import { createProjector } from './projector.head';
import { SeedStream } from './seed.stream';

before(async () => {
  await selectBackend('cpu');
});

void test('projector layout: Linear+bias → BN → ReLU, …, last Linear without bias', () => {
  const p = createProjector('projector', 16, '12-10-8', new SeedStream(0));
  assert.deepEqual(
    p.layers.map((l) => l.kind),
    ['linear', 'batchnorm', 'relu', 'linear', 'batchnorm', 'relu', 'linear'],
  );
  assert.deepEqual(
    p.parameters().map((v) => [v.name, v.variable.shape]),
    [
      ['projector.0.weight', [16, 12]],
      ['projector.0.bias', [12]],
      ['projector.1.gamma', [12]],
      ['projector.1.beta', [12]],
      ['projector.3.weight', [12, 10]],
      ['projector.3.bias', [10]],
      ['projector.4.gamma', [10]],
      ['projector.4.beta', [10]],
      ['projector.6.weight', [10, 8]],
    ],
  );
  assert.deepEqual(
    p.buffers().map((v) => v.name),
    [
      'projector.1.running_mean',
      'projector.1.running_var',
      'projector.4.running_mean',
      'projector.4.running_var',
    ],
  );
  assert.equal(p.inDim, 16);
  assert.equal(p.outDim, 8);
  const w = p.parameters()[0]!.variable.dataSync();
  assert.ok(
    w.every((v) => Math.abs(v) <= 0.25),
    'U(±1/√16)',
  );
  p.dispose();
});

void test('a one-width projector is a single Linear without bias', () => {
  const p = createProjector('projector', 4, '3', new SeedStream(0));
  assert.deepEqual(
    p.parameters().map((v) => v.name),
    ['projector.0.weight'],
  );
  p.dispose();
});

void test('training mode normalises with batch statistics and updates the running statistics', () => {
  const p = createProjector('projector', 4, '3-2', new SeedStream(5));
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const x = tf.tensor2d(randomArray(6 * 4, 9), [6, 4]);
    // after Linear → BN (γ=1, β=0) every column of the normalised activations has mean 0 and biased var ≈ 1
    const lin = p.layers[0]!;
    assert.equal(lin.kind, 'linear');
    p.apply(x, true);
    const rm = p.buffers()[0]!.variable.dataSync();
    assert.ok(
      rm.some((v) => v !== 0),
      'running mean moved',
    );
    const evalOut = p.apply(x, false);
    const trainOut = p.apply(x, true);
    assert.notDeepEqual(
      Array.from(evalOut.dataSync()),
      Array.from(trainOut.dataSync()),
      'eval mode uses running stats',
    );
  });
  assert.equal(tf.memory().numTensors, before, 'no tensor leaked');
  p.dispose();
});
