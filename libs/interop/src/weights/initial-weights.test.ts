import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { parseMethodRun } from '@equilab/contracts';
import { Resnet18Backbone, buildMethod, selectBackend } from '@equilab/sie';
import { applyInitialWeights, readInitialWeights } from './initial-weights';
import { backboneTensors, writeReferenceWeights } from './reference-weights';
import { TINY_WIDTH, randomisedBackbone } from './weights.fixture';

const setup = selectBackend('cpu');

void test('applyInitialWeights: checks every tensor before assigning any, frees its tensors, and loads the reference layout exactly', async () => {
  await setup;
  const dir = mkdtempSync(path.join(tmpdir(), 'interop-init-'));
  const source = randomisedBackbone(3);
  const target = new Resnet18Backbone({ widthMultiplier: TINY_WIDTH, seed: 9 });
  const { config } = parseMethodRun('VICReg', { width: TINY_WIDTH, mlp: '16-16-16' });
  const model = buildMethod('VICReg', config, target.outDim, 1);
  try {
    const pth = path.join(dir, 'w.pth');
    writeReferenceWeights(backboneTensors(source), 'pth-state-dict', pth);
    const weights = readInitialWeights(pth);
    assert.equal(weights.source, 'reference-pth');
    // A shape error in the last tensor checked leaves the first one untouched.
    const broken = { ...weights, backbone: weights.backbone.map((t) => (t.name === 'layer4.1.bn2.running_var' ? { ...t, shape: [1], fileShape: [1], data: new Float32Array(1) } : t)) };
    const before = backboneTensors(target);
    assert.throws(() => applyInitialWeights(broken, 'VICReg', { backbone: target, model }), /w\.pth: tensor layer4\.1\.bn2\.running_var has shape \[1\], the run's backbone needs \[32\] \(is the width multiplier the same\?\)/);
    assert.deepEqual(backboneTensors(target), before);
    const tensorsBefore = tf.memory().numTensors;
    const report = applyInitialWeights(weights, 'VICReg', { backbone: target, model });
    assert.equal(tf.memory().numTensors, tensorsBefore);
    assert.deepEqual(report, { file: pth, source: 'reference-pth', backboneTensors: 105, headTensors: 0 });
    assert.deepEqual(backboneTensors(target), backboneTensors(source));
    // Not a weights file at all.
    const junk = path.join(dir, 'junk.pth');
    writeFileSync(junk, 'not weights');
    assert.throws(() => readInitialWeights(junk), /junk\.pth: neither a zip-based \.pth nor a safetensors file/);
  } finally {
    model.dispose();
    target.dispose();
    source.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});
