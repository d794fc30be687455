import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { DataError } from '../data.error';
import { encodeNpy, unicodeArray } from '../npy/npy.format';
import { readNpy } from '../npy/npy.io';
import { transformationLatent } from '../rotation/transformation-latent';
import { splitFiles, tinyDataset } from '../testing/tiny-dataset';
import { DIEBENCH_MEAN, DIEBENCH_STD, normaliseInto } from './image.decoder';
import { PairDataset } from './pair.dataset';

let tiny: Awaited<ReturnType<typeof tinyDataset>>;
before(async () => {
  tiny = await tinyDataset();
});
after(async () => tiny.cleanup());

void test('normalisation: (v/255 − mean) / std per channel, HWC', () => {
  const out = new Float32Array(6);
  normaliseInto(Uint8Array.from([0, 128, 255, 255, 0, 51]), out);
  const expected = [0, 128, 255, 255, 0, 51].map((v, i) => (v / 255 - DIEBENCH_MEAN[i % 3]!) / DIEBENCH_STD[i % 3]!);
  expected.forEach((e, i) => assert.ok(Math.abs(out[i]! - e) < 1e-5, `${i}: ${out[i]} vs ${e}`));
});

void test('opens a generated split: V detected, classes from the folders, entries joined to the root', async () => {
  const ds = await PairDataset.open({ ...splitFiles(tiny.dir), resolution: 32 });
  assert.equal(ds.length, 9);
  assert.equal(ds.views, 4);
  assert.equal(ds.numClasses, 3);
  assert.equal(ds.latentSize, 4);
  assert.ok(ds.objectDir(0).startsWith(tiny.dir + path.sep), 'the leading "/" of an entry does not make it absolute');
});

void test('an item is two distinct views of one object, its latent matches those two files, images match the files', async () => {
  for (const latentMode of ['quat', 'rotcolor', 'all'] as const) {
    const ds = await PairDataset.open({ ...splitFiles(tiny.dir, 'val'), resolution: 32, latentMode });
    const pairs = new Set<string>();
    for (let seed = 0; seed < 12; seed++) {
      const index = seed % ds.length;
      const item = await ds.get(index, seed);
      const [v1, v2] = item.views;
      assert.notEqual(v1, v2);
      assert.ok(v1 >= 0 && v1 < 4 && v2 >= 0 && v2 < 4);
      pairs.add(`${v1},${v2}`);
      const l1 = Array.from((await readNpy(ds.latentPath(index, v1))).data as Float64Array);
      const l2 = Array.from((await readNpy(ds.latentPath(index, v2))).data as Float64Array);
      assert.deepEqual(Array.from(item.latent), Array.from(Float32Array.from(transformationLatent(latentMode, l1, l2))));
      assert.equal(item.latent.length, { quat: 4, rotcolor: 6, all: 8 }[latentMode]);
      assert.equal(item.label, ds.labels[index]);
      if (latentMode === 'quat' && seed < 3) {
        for (const [view, x] of [[v1, item.x1], [v2, item.x2]] as const) {
          const raw = await sharp(ds.imagePath(index, view)).raw().toBuffer();
          const expected = new Float32Array(32 * 32 * 3);
          normaliseInto(raw, expected);
          assert.deepEqual(Array.from(x), Array.from(expected), `image ${view} of ${ds.objectDir(index)}`);
        }
      }
    }
    assert.ok(pairs.size > 3, 'views vary with the seed');
  }
  const again = await PairDataset.open({ ...splitFiles(tiny.dir, 'val'), resolution: 32 });
  assert.deepEqual((await again.get(1, 5)).views, (await again.get(1, 5)).views, 'same seed, same views');
});

void test('resizes to the configured resolution', async () => {
  const ds = await PairDataset.open({ ...splitFiles(tiny.dir), resolution: 16 });
  const item = await ds.get(0, 0);
  assert.equal(item.x1.length, 16 * 16 * 3);
  const mean = item.x1.reduce((a, b) => a + b, 0) / item.x1.length;
  assert.ok(Math.abs(mean) < 8 && item.x1.some((v) => v !== item.x1[0]), 'normalised, not constant');
});

function assertDataError(code: string, mention: string) {
  return (error: unknown) => {
    assert.ok(error instanceof DataError, String(error));
    assert.equal(error.code, code, error.message);
    assert.ok(error.message.includes(mention), `"${error.message}" should name ${mention}`);
    return true;
  };
}

void test('validation errors name the path and the reason', async () => {
  const files = splitFiles(tiny.dir);
  const bad = `${tiny.dir}-bad`;
  await mkdir(bad, { recursive: true });
  try {
    await assert.rejects(PairDataset.open({ ...files, root: path.join(tiny.dir, 'nope') }), assertDataError('ROOT_MISSING', 'nope'));
    await assert.rejects(PairDataset.open({ ...files, resolution: 3 }), assertDataError('INVALID_OPTION', 'resolution'));
    // split files of different lengths
    const shortLabels = path.join(bad, 'short_labels.npy');
    await writeFile(shortLabels, encodeNpy({ dtype: '<i8', shape: [2], data: BigInt64Array.from([0n, 1n]) }));
    await assert.rejects(PairDataset.open({ ...files, labelsFile: shortLabels }), assertDataError('SPLIT_MISMATCH', 'short_labels.npy'));
    // label out of range
    const images = (await readNpy(files.imagesFile)).data as string[];
    const outOfRange = path.join(bad, 'range_labels.npy');
    await writeFile(outOfRange, encodeNpy({ dtype: '<i8', shape: [images.length], data: BigInt64Array.from(images.map((_, i) => (i === 4 ? 3n : 0n))) }));
    await assert.rejects(PairDataset.open({ ...files, labelsFile: outOfRange }), assertDataError('LABEL_OUT_OF_RANGE', 'index 4'));
    await assert.rejects(PairDataset.open({ ...files, labelsFile: outOfRange, numClasses: 3 }), assertDataError('LABEL_OUT_OF_RANGE', '0..2'));
    // malformed .npy header
    const malformed = path.join(bad, 'malformed.npy');
    await writeFile(malformed, Buffer.concat([Buffer.from('\x93NUMPY\x01\x00', 'latin1'), Buffer.from([20, 0]), Buffer.from("{'descr': <i8 ...   \n")]));
    await assert.rejects(PairDataset.open({ ...files, labelsFile: malformed }), assertDataError('NPY_MALFORMED', 'malformed.npy'));
    await assert.rejects(PairDataset.open({ ...files, labelsFile: path.join(bad, 'missing.npy') }), assertDataError('FILE_MISSING', 'missing.npy'));
    // fewer than 2 views
    const oneView = path.join(bad, 'one');
    await mkdir(path.join(oneView, '00000001', 'abc'), { recursive: true });
    await cp(path.join(tiny.dir, images[0]!, 'image_0.jpg'), path.join(oneView, '00000001', 'abc', 'image_0.jpg'));
    await writeFile(path.join(oneView, 'i.npy'), encodeNpy(unicodeArray(['/00000001/abc/'])));
    await writeFile(path.join(oneView, 'l.npy'), encodeNpy({ dtype: '<i8', shape: [1], data: BigInt64Array.from([0n]) }));
    const oneViewFiles = { root: oneView, imagesFile: path.join(oneView, 'i.npy'), labelsFile: path.join(oneView, 'l.npy') };
    await assert.rejects(PairDataset.open(oneViewFiles), assertDataError('TOO_FEW_VIEWS', 'abc'));
    await assert.rejects(PairDataset.open({ ...oneViewFiles, views: 1 }), assertDataError('INVALID_OPTION', 'views'));
  } finally {
    await rm(bad, { recursive: true, force: true });
  }
});

void test('a corrupt image or latent fails with the file named', async () => {
  const copy = path.join(tiny.dir, '..', `${path.basename(tiny.dir)}-corrupt`);
  await cp(tiny.dir, copy, { recursive: true });
  try {
    const ds = await PairDataset.open({ ...splitFiles(copy), resolution: 32, views: 4 });
    for (let v = 0; v < 4; v++) {
      const jpeg = await import('node:fs/promises').then((fs) => fs.readFile(ds.imagePath(0, v)));
      await writeFile(ds.imagePath(0, v), jpeg.subarray(0, 40));
    }
    await assert.rejects(ds.get(0, 0), assertDataError('IMAGE_UNREADABLE', ds.objectDir(0)));
    await writeFile(ds.latentPath(1, 0), encodeNpy({ dtype: '<f8', shape: [3], data: Float64Array.from([1, 2, 3]) }));
    await writeFile(ds.latentPath(1, 1), encodeNpy({ dtype: '<f8', shape: [3], data: Float64Array.from([1, 2, 3]) }));
    await writeFile(ds.latentPath(1, 2), encodeNpy({ dtype: '<f8', shape: [3], data: Float64Array.from([1, 2, 3]) }));
    await writeFile(ds.latentPath(1, 3), encodeNpy({ dtype: '<f8', shape: [3], data: Float64Array.from([1, 2, 3]) }));
    await assert.rejects(ds.get(1, 0), assertDataError('LATENT_INVALID', 'latent_'));
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
});
