import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { encodeNpy, npyToNumbers, parseNpy, unicodeArray, type NpyArray } from './npy.format';
import { readNpy, writeNpy } from './npy.io';
import { DataError } from '../data.error';
import { splitFixturesDir } from '../testing/shared-paths';

const valImages = path.join(splitFixturesDir, 'val_images.npy');
const valLabels = path.join(splitFixturesDir, 'val_labels.npy');
const trainLabels = path.join(splitFixturesDir, 'train_labels.npy');

void test('reads the real 3DIEBench val split (<U43) and labels (int64, 55 classes)', async () => {
  const images = await readNpy(valImages);
  assert.equal(images.dtype, '<U43');
  assert.deepEqual(images.shape, [10552]);
  assert.equal(images.data[0], '/02691156/dc8d9003cde43b66c8727b27ee96a4b7/');
  for (const s of images.data) assert.match(s, /^\/\d{8}\/[0-9a-z]+\/$/);
  for (const file of [valLabels, trainLabels]) {
    const labels = await readNpy(file);
    assert.equal(labels.dtype, '<i8');
    const values = npyToNumbers(labels, file);
    assert.equal(values.length, file === valLabels ? 10552 : 41920);
    assert.equal(Math.min(...values), 0);
    assert.equal(Math.max(...values), 54);
    assert.equal(new Set(values).size, 55);
  }
  // label = index of the synset in the sorted synset list
  const labels = npyToNumbers(await readNpy(valLabels));
  const synsets = [...new Set((images.data).map((s) => s.split('/')[1]!))].sort();
  (images.data).forEach((s, i) => assert.equal(synsets.indexOf(s.split('/')[1]!), labels[i]));
});

void test('encodeNpy reproduces numpy.save byte for byte (real files round-trip)', () => {
  for (const file of [valImages, valLabels, trainLabels]) {
    const bytes = readFileSync(file);
    assert.ok(encodeNpy(parseNpy(bytes, file)).equals(bytes), file);
  }
});

void test('round-trips every supported dtype and shape', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'npy-'));
  try {
    const arrays: NpyArray[] = [
      { dtype: '<f8', shape: [7], data: Float64Array.from([0.5, -1.25, Math.PI, 1e-300, -0, 3, 4]) },
      { dtype: '<f4', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6.5]) },
      { dtype: '<i8', shape: [3], data: BigInt64Array.from([0n, -5n, 54n]) },
      { dtype: '<i4', shape: [1, 2, 2], data: Int32Array.from([1, -2, 3, 2147483647]) },
      { dtype: '|u1', shape: [4], data: Uint8Array.from([0, 1, 254, 255]) },
      { dtype: '|b1', shape: [2], data: Uint8Array.from([1, 0]) },
      { dtype: '<f8', shape: [], data: Float64Array.from([42]) },
      { dtype: '<f8', shape: [0], data: new Float64Array(0) },
      unicodeArray(['/00000001/abc/', '/0000002/é€😀/', '']),
    ];
    for (const [i, array] of arrays.entries()) {
      const file = path.join(dir, `a${i}.npy`);
      await writeNpy(file, array);
      const back = await readNpy(file);
      assert.equal(back.dtype, array.dtype);
      assert.deepEqual(back.shape, array.shape);
      assert.deepEqual(Array.from(back.data as ArrayLike<unknown>), Array.from(array.data as ArrayLike<unknown>));
      assert.equal(readFileSync(file).length % 64, encodeNpy(array).length % 64);
      assert.equal((encodeNpy(array).indexOf(0x0a) + 1) % 64, 0, 'data starts 64-byte aligned');
    }
    assert.equal(unicodeArray(['ab', 'abcd']).dtype, '<U4');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

function header(dict: string, version = 1): Buffer {
  const text = Buffer.from(dict + '\n', 'latin1');
  const head = Buffer.alloc(version === 1 ? 10 : 12);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]).copy(head);
  if (version === 1) head.writeUInt16LE(text.length, 8);
  else head.writeUInt32LE(text.length, 8);
  return Buffer.concat([head, text]);
}

void test('reads version 2.0 headers', () => {
  const buf = Buffer.concat([header("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", 2), Buffer.from(Int32Array.from([7, -7]).buffer)]);
  assert.deepEqual(Array.from(parseNpy(buf).data as Int32Array), [7, -7]);
});

void test('rejects Fortran order, big-endian, object, structured and malformed files with the file and dtype named', async () => {
  const expectError = (buf: Buffer, code: string, pattern: RegExp) =>
    assert.throws(
      () => parseNpy(buf, '/x/bad.npy'),
      (e: unknown) => e instanceof DataError && e.code === code && pattern.test(e.message) && e.message.startsWith('/x/bad.npy: '),
    );
  const body = Buffer.alloc(64);
  expectError(Buffer.concat([header("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }"), body]), 'NPY_UNSUPPORTED', /Fortran.*<f8/);
  expectError(Buffer.concat([header("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }"), body]), 'NPY_UNSUPPORTED', /big-endian.*>f8/);
  expectError(Buffer.concat([header("{'descr': '>U5', 'fortran_order': False, 'shape': (2,), }"), body]), 'NPY_UNSUPPORTED', />U5/);
  expectError(Buffer.concat([header("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }"), body]), 'NPY_UNSUPPORTED', /object.*\|O/);
  expectError(Buffer.concat([header("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (2,), }"), body]), 'NPY_UNSUPPORTED', /structured/);
  expectError(Buffer.concat([header("{'descr': '<c16', 'fortran_order': False, 'shape': (2,), }"), body]), 'NPY_UNSUPPORTED', /<c16/);
  expectError(Buffer.from('not a numpy file at all'), 'NPY_MALFORMED', /magic/);
  expectError(Buffer.concat([header("{'descr': '<f8', 'shape': (2,), }"), body]), 'NPY_MALFORMED', /fortran_order/);
  expectError(Buffer.concat([header("{'descr': '<f8', 'fortran_order': False, 'shape': (a,), }"), body]), 'NPY_MALFORMED', /shape/);
  expectError(Buffer.concat([header("['descr', '<f8']"), body]), 'NPY_MALFORMED', /dict/);
  expectError(Buffer.concat([header("{'descr': '<f8', 'fortran_order': False, 'shape': (100,), }"), body]), 'NPY_MALFORMED', /truncated.*800 bytes/);
  const short = header("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }");
  short.writeUInt16LE(9999, 8);
  expectError(short, 'NPY_MALFORMED', /exceeds the file size/);

  const dir = await mkdtemp(path.join(os.tmpdir(), 'npy-'));
  try {
    await assert.rejects(readNpy(path.join(dir, 'none.npy')), (e: unknown) => e instanceof DataError && e.code === 'FILE_MISSING' && e.message.includes('none.npy'));
    const bad = path.join(dir, 'bad.npy');
    await writeFile(bad, Buffer.from('\x93NUMPY garbage'));
    await assert.rejects(readNpy(bad), (e: unknown) => e instanceof DataError && e.message.startsWith(`${bad}: malformed .npy`));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
