import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { generateDataset } from '@equilab/data';
import { parseMethodRun } from '@equilab/contracts';
import fixture from './checkpoint-names.fixture.json';
import { CHECKPOINT_FILE } from './checkpoint.store';
import { readSafetensors } from './safetensors.format';
import { train } from './train';

/**
 * Runs started before the ML-core restructuring are resumed with today's code: the trainer must write and read
 * exactly the tensor names (`backbone.*`, `method.*`, `evaluator.*` incl. `evaluator.probe_repr_*`, `adam.*`),
 * shapes and state fields of the checkpoints written then (recorded in checkpoint-names.fixture.json from a
 * checkpoint of that code). A checkpoint written today has the same names, so each one loads into the other's model.
 */
let dataRoot = '';

before(async () => {
  dataRoot = path.join(mkdtempSync(path.join(tmpdir(), 'sie-compat-data-')), 'ds');
  // 5 classes, as the fixture's run (the evaluator's classifiers are 5 wide).
  await generateDataset({ out: dataRoot, classes: 5, objectsPerClass: 3, views: 2, size: 32, seed: 1, workers: 0 });
});

for (const method of ['SIE', 'VICReg'] as const)
  void test(`${method}: the checkpoint has the tensor names, shapes and state fields of the checkpoints of older runs`, async () => {
    const outDir = mkdtempSync(path.join(tmpdir(), `sie-compat-${method}-`));
    const config = { ...fixture.config, epochs: 1, ...(method === 'SIE' ? { equi: 16 } : {}) };
    const options = {
      run: parseMethodRun(method, config),
      dataRoot,
      outDir,
      backend: 'cpu' as const,
      seed: 3,
      workers: 0,
      logEvery: { steps: 0, seconds: 3600 },
      resume: true,
    };
    assert.equal((await train(options)).status, 'completed');
    const written = readSafetensors(path.join(outDir, CHECKPOINT_FILE));
    const shapes = Object.fromEntries([...written.tensors].map(([name, t]) => [name, [...t.shape]]));
    const want = fixture.tensors[method] as Record<string, number[]>;
    assert.deepEqual(Object.keys(shapes).sort(), Object.keys(want).sort());
    for (const [name, shape] of Object.entries(want)) assert.deepEqual(shapes[name], shape, name);
    const state = JSON.parse(written.metadata['equilab'] ?? '{}') as Record<string, unknown>;
    assert.deepEqual(Object.keys(state).sort(), fixture.stateKeys);
    // …and it resumes ("train until epoch E" with a larger E): one more epoch from the stored step.
    const resumed = await train({ ...options, run: parseMethodRun(method, { ...config, epochs: 2 }) });
    assert.equal(resumed.status, 'completed');
    assert.equal(resumed.epoch, 2);
  });
