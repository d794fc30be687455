import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { generateDataset } from '@equilab/data';
import { parseMethodRun, type MetricPoint } from '@equilab/contracts';
import { train, type TrainOptions } from './train';
import { CHECKPOINT_FILE, FINAL_WEIGHTS_FILE } from './checkpoint.store';
import { readSafetensors } from './safetensors.format';

// End to end on the real backbone, method registry and loader: tiny width, 32 px, 6 train objects, batch 3.
const TINY = { width: 0.0625, mlp: '16-16-16', equi: 16, batch_size: 3, resolution: 32, seed: 4 };
let dataRoot = '';

before(async () => {
  dataRoot = path.join(mkdtempSync(path.join(tmpdir(), 'sie-train-data-')), 'ds');
  await generateDataset({ out: dataRoot, classes: 2, objectsPerClass: 4, views: 4, size: 32, seed: 9, workers: 0 });
});

function options(outDir: string, epochs: number, extra: Partial<TrainOptions> = {}): TrainOptions {
  return {
    run: parseMethodRun('SIE', { ...TINY, epochs }),
    dataRoot,
    outDir,
    backend: 'cpu',
    seed: 4,
    workers: 0,
    logEvery: { steps: 1, seconds: 3600 },
    resume: true,
    ...extra,
  };
}

function tensorsOf(file: string): Map<string, number[]> {
  const { tensors } = readSafetensors(file);
  return new Map([...tensors].map(([name, t]) => [name, Array.from(t.data)]));
}

void test('SIE on cpu: 2 epochs straight = 1 epoch + resume + 1 = canceled mid-epoch + resume (weights, heads, Adam state)', async () => {
  const straight = mkdtempSync(path.join(tmpdir(), 'sie-straight-'));
  const result = await train(options(straight, 2));
  assert.equal(result.status, 'completed');
  assert.equal(result.step, 4);
  assert.deepEqual(result.finalFiles, [FINAL_WEIGHTS_FILE]);
  const expected = tensorsOf(path.join(straight, CHECKPOINT_FILE));
  const expectedFinal = tensorsOf(path.join(straight, FINAL_WEIGHTS_FILE));
  assert.ok([...expected.keys()].some((k) => k.startsWith('evaluator.regressor_repr_equi')));
  assert.ok([...expected.keys()].some((k) => k.startsWith('adam.m.method.')));
  assert.ok([...expectedFinal.keys()].includes('stem.conv'));

  const split = mkdtempSync(path.join(tmpdir(), 'sie-split-'));
  assert.equal((await train(options(split, 1))).status, 'completed');
  // The second half decodes on a worker thread: the batches do not depend on the worker count.
  const resumed = await train(options(split, 2, { workers: 1 }));
  assert.equal(resumed.step, 4);
  assert.deepEqual(tensorsOf(path.join(split, CHECKPOINT_FILE)), expected);
  assert.deepEqual(tensorsOf(path.join(split, FINAL_WEIGHTS_FILE)), expectedFinal);

  const canceledDir = mkdtempSync(path.join(tmpdir(), 'sie-cancel-'));
  const controller = new AbortController();
  const steps: number[] = [];
  const checkpoints: { step: number; reason: string }[] = [];
  const canceled = await train(
    options(canceledDir, 2, {
      signal: controller.signal,
      onMetrics: (points: MetricPoint[]) => {
        const step = points[0]?.step as number;
        steps.push(step);
        if (step === 2) controller.abort(); // stop after 3 steps: in the middle of epoch 1
      },
      onCheckpoint: (info) => {
        checkpoints.push({ step: info.step, reason: info.reason });
      },
    }),
  );
  assert.equal(canceled.status, 'canceled');
  assert.equal(canceled.step, 3);
  assert.deepEqual(canceled.finalFiles, []);
  assert.deepEqual(checkpoints, [
    { step: 2, reason: 'epoch-end' },
    { step: 3, reason: 'canceled' },
  ]);
  const finished = await train(options(canceledDir, 2, { onMetrics: (points) => steps.push(points[0]?.step as number) }));
  assert.equal(finished.status, 'completed');
  assert.deepEqual(steps, [0, 1, 2, 3]);
  assert.deepEqual(tensorsOf(path.join(canceledDir, CHECKPOINT_FILE)), expected);
});

void test('SIE on cpu: no tensor leak (same tf.memory().numTensors at step 3 and step 50); VICReg trains too', async () => {
  const counts = new Map<number, number>();
  const keys = new Set<string>();
  const result = await train(
    options(mkdtempSync(path.join(tmpdir(), 'sie-leak-')), 25, {
      onMetrics: (points) => {
        counts.set(points[0]?.step as number, tf.memory().numTensors);
        for (const p of points) keys.add(p.key);
      },
    }),
  );
  assert.equal(result.step, 50);
  assert.ok(counts.has(3) && counts.has(50 - 1));
  const at3 = counts.get(3);
  for (const step of [10, 30, 49]) assert.equal(counts.get(step), at3, `step ${step}`);
  for (const key of ['Loss/Pred Std loss', 'Stats/Corr. predictor output', 'Online eval reprs/R2 representations-equi', 'Online eval embs/Top-5 embeddings-inv', 'General/lr']) {
    assert.ok(keys.has(key), key);
  }
  const vicregKeys = new Set<string>();
  const vicreg = await train({
    ...options(mkdtempSync(path.join(tmpdir(), 'vicreg-')), 1, { onMetrics: (points) => points.forEach((p) => vicregKeys.add(p.key)) }),
    run: parseMethodRun('VICReg', { width: 0.0625, mlp: '16-16-16', batch_size: 3, resolution: 32, epochs: 1 }),
  });
  assert.equal(vicreg.status, 'completed');
  assert.ok(!vicregKeys.has('Online eval reprs/R2 representations-equi'));
  assert.ok(!vicregKeys.has('Loss/Pred Std loss'));
  assert.ok(vicregKeys.has('Online eval reprs/R2 representations'));
});
