import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateDatasetOptionsSchema } from '@equilab/contracts';
import { objectId, splitPlan, synsetIds } from './dataset.plan';
import { writeSplitFiles } from './generate-dataset';
import { writeObject } from './object.writer';

/**
 * The bytes of `equilab data generate` with its defaults. The reference implementation's training curves
 * (shared/reference) were measured on exactly this dataset, so the parity check depends on it: a deliberate
 * change of the generator (or of its defaults, or of sharp's JPEG encoder) needs new reference curves.
 */
const PINNED = {
  'train_images.npy': '07af65a0670c69e33ad12e4fb245de2dbf01d53fd8a705ad3eb01f28c595564a',
  'train_labels.npy': 'dc6a76ca63862a50b6c0f769d6c5dfb721500e6418026df217bb8d567ab7906d',
  'val_images.npy': '7a96e55f65fcd4d94ab1bb750002c5a00f41ae2592d1e13d03828025162bbcf8',
  'val_labels.npy': 'f4001672c1a227d784a44541e5d1a57863bc47fca50126d296db4c94c914102b',
} as const;

/** SHA-256 over `image_{v}.jpg` then `latent_{v}.npy` for every view, of three objects (class/object index). */
const PINNED_OBJECTS: readonly (readonly [number, number, string])[] = [
  [0, 0, '01fb1ad5b22d7cfc35310472a1d322ad30d27e178be9933806c5316c6888a02b'],
  [4, 17, 'f9e29f1469b1a6c0d0a438fe3f6b7fe74b8a09fbdbd758dfd5f73c7458e9c100'],
  [9, 39, '820c683aa9145445cf547d683998c65378ac911df16325104c6f5a54817fba72'],
];

async function sha256(files: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const file of files) hash.update(await readFile(file));
  return hash.digest('hex');
}

void test('the default generated dataset is byte-for-byte the one the reference curves were measured on', async () => {
  const out = await mkdtemp(path.join(os.tmpdir(), 'equilab-default-dataset-'));
  try {
    const options = generateDatasetOptionsSchema.parse({ out });
    assert.deepEqual(
      { classes: options.classes, objectsPerClass: options.objectsPerClass, views: options.views, size: options.size, seed: options.seed },
      { classes: 10, objectsPerClass: 40, views: 50, size: 64, seed: 0 },
    );
    const synsets = synsetIds(options.seed, options.classes);
    await writeSplitFiles(out, splitPlan(options.seed, synsets, options.objectsPerClass, options.trainFraction));
    for (const [file, expected] of Object.entries(PINNED)) {
      assert.equal(await sha256([path.join(out, file)]), expected, file);
    }
    const settings = { root: out, seed: options.seed, views: options.views, size: options.size, jpegQuality: options.jpegQuality };
    for (const [classIndex, objectIndex, expected] of PINNED_OBJECTS) {
      const entry = `/${synsets[classIndex]}/${objectId(options.seed, classIndex, objectIndex)}/`;
      await writeObject({ classIndex, objectIndex, entry }, settings);
      const dir = path.join(out, entry);
      const files = Array.from({ length: options.views }, (_, v) => [path.join(dir, `image_${v}.jpg`), path.join(dir, `latent_${v}.npy`)]).flat();
      assert.equal(await sha256(files), expected, `views of class ${classIndex} object ${objectIndex}`);
    }
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
