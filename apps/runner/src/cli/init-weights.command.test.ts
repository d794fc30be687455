import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateDataset } from '@equilab/data';
import { encodePthStateDict, readReferenceWeights, toReferenceStateDict, type PthTensor } from '@equilab/interop';
import { CHECKPOINT_FILE, FINAL_WEIGHTS_FILE, readSafetensors, type StoredTensor } from '@equilab/sie';
import { existsSync, writeFileSync } from 'node:fs';
import { runExportWeights } from './export.command';
import { runTrainCommand, type TrainCommandOptions } from './train.command';

/**
 * `equilab train --init-weights`: a tiny backbone (width 0.0625, 32 px) round trip — train run A, export its
 * weights in the reference's .pth layout, start run B from them and stop it before its first step: B's step-0
 * checkpoint holds exactly A's backbone. Bad files are refused before any step, naming the tensor.
 */
const TINY = ['width=0.0625', 'mlp=16-16-16', 'batch_size=4', 'resolution=32', 'epochs=1'];

let root = '';
let data = '';
let runA = '';

function options(overrides: Partial<TrainCommandOptions>): TrainCommandOptions {
  return { method: 'VICReg', data, set: TINY, backend: 'cpu', workers: '0', metricsEvery: '0', metricsEverySeconds: '3600', ...overrides };
}

/** A run stopped before its first step: its checkpoint holds the initial weights. */
async function initialCheckpoint(out: string, overrides: Partial<TrainCommandOptions>): Promise<Map<string, StoredTensor>> {
  const stopped = new AbortController();
  stopped.abort();
  const result = await runTrainCommand(options({ out, ...overrides }), stopped.signal);
  assert.equal(result.status, 'canceled');
  assert.equal(result.step, 0);
  return readSafetensors(path.join(out, CHECKPOINT_FILE)).tensors;
}

function prefixed(tensors: Map<string, StoredTensor>, prefix: string): Map<string, Float32Array> {
  return new Map([...tensors].filter(([name]) => name.startsWith(prefix)).map(([name, t]) => [name.slice(prefix.length), t.data]));
}

before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'equilab-init-weights-'));
  data = path.join(root, 'data');
  await generateDataset({ out: data, classes: 2, objectsPerClass: 4, views: 2, size: 32, seed: 1, workers: 0 });
  runA = path.join(root, 'a');
  const trained = await runTrainCommand(options({ out: runA }));
  assert.equal(trained.status, 'completed');
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

void test('a run started from exported .pth weights begins with exactly that backbone; its heads and the rest come from the seed', async () => {
  const pth = path.join(root, 'a.pth');
  await runExportWeights(runA, { format: 'pth-state-dict', out: pth });
  const fromFile = await initialCheckpoint(path.join(root, 'b'), { initWeights: pth, seed: '7' });
  const seeded = await initialCheckpoint(path.join(root, 'b-seeded'), { seed: '7' });
  const trainedA = readSafetensors(path.join(runA, FINAL_WEIGHTS_FILE)).tensors;
  const backbone = prefixed(fromFile, 'backbone.');
  assert.equal(backbone.size, trainedA.size);
  for (const [name, t] of trainedA) assert.deepEqual(backbone.get(name), t.data, name);
  // The training changed A's backbone: the seeded init of B differs from it (the test can fail).
  assert.notDeepEqual(prefixed(seeded, 'backbone.').get('layer1.0.conv1'), trainedA.get('layer1.0.conv1')?.data);
  // A .pth holds no heads: they are the seeded ones, as are the evaluator's probes; no optimizer moments yet.
  assert.deepEqual(prefixed(fromFile, 'method.'), prefixed(seeded, 'method.'));
  assert.deepEqual(prefixed(fromFile, 'evaluator.'), prefixed(seeded, 'evaluator.'));
  assert.equal(prefixed(fromFile, 'adam.').size, 0);
});

void test("an Equilab checkpoint initialises the method's heads too", async () => {
  const fromCheckpoint = await initialCheckpoint(path.join(root, 'c'), { initWeights: path.join(runA, CHECKPOINT_FILE) });
  const a = readSafetensors(path.join(runA, CHECKPOINT_FILE)).tensors;
  for (const prefix of ['backbone.', 'method.']) {
    const want = prefixed(a, prefix);
    assert.ok(want.size > 0, prefix);
    assert.deepEqual(prefixed(fromCheckpoint, prefix), want, prefix);
  }
});

void test('wrong shapes, a missing tensor and another method are refused before the first step, naming the tensor', async () => {
  const pth = path.join(root, 'a.pth');
  await runExportWeights(runA, { format: 'pth-state-dict', out: pth });
  await assert.rejects(
    runTrainCommand(options({ out: path.join(root, 'wide'), initWeights: pth, set: [...TINY, 'width=0.125'] })),
    /a\.pth: tensor conv1\.weight has shape \[4, 3, 7, 7\], the run's backbone needs \[8, 3, 7, 7\]/,
  );
  const reference = toReferenceStateDict(readReferenceWeights(pth).tensors).filter((t) => t.name !== 'layer3.1.bn2.running_var');
  const partial = path.join(root, 'partial.pth');
  writeFileSync(partial, encodePthStateDict(reference.map((t): PthTensor => ({ name: t.name, dtype: 'float32', shape: t.shape, data: t.data }))));
  await assert.rejects(runTrainCommand(options({ out: path.join(root, 'partial'), initWeights: partial })), /partial\.pth: missing 1 backbone tensors \(layer3\.1\.bn2\.running_var/);
  assert.equal(existsSync(path.join(root, 'partial')), false, 'an unreadable file is refused before the output folder is made');
  await assert.rejects(
    runTrainCommand(options({ out: path.join(root, 'sie'), method: 'SIE', initWeights: path.join(runA, FINAL_WEIGHTS_FILE), set: [...TINY, 'equi=16'] })),
    /final_weights\.safetensors: weights of a VICReg run; this run trains SIE/,
  );
  await assert.rejects(runTrainCommand(options({ out: path.join(root, 'none'), initWeights: path.join(root, 'nope.pth') })), /--init-weights: file .* does not exist/);
});
