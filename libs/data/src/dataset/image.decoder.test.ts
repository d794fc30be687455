import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { DataError } from '../data.error';
import { tinyDataset } from '../testing/tiny-dataset';
import { NORMALISE_LUT, decodeImageInto, decodePlan, normaliseInto } from './image.decoder';
import { resampleBilinearInto } from './pil-bilinear.resampler';

let set: Awaited<ReturnType<typeof tinyDataset>>;
let file: string;
before(async () => {
  set = await tinyDataset({ classes: 1, objectsPerClass: 2, views: 2, size: 64 });
  const [synset] = (await readdir(set.dir, { withFileTypes: true })).filter((d) => d.isDirectory());
  const [object] = await readdir(path.join(set.dir, synset!.name));
  file = path.join(set.dir, synset!.name, object!, 'image_0.jpg');
});
after(async () => set.cleanup());

async function decode(resolution: number, options: Parameters<typeof decodeImageInto>[4]): Promise<Float32Array> {
  const out = new Float32Array(resolution * resolution * 3);
  await decodeImageInto(file, resolution, out, 0, options);
  return out;
}

void test('decode plans: same size as is; pil decodes fully; fast shrinks on load by the largest 2ⁿ that keeps the target', () => {
  for (const mode of ['pil', 'fast'] as const) assert.deepEqual(decodePlan(256, 256, 256, mode), { shrink: 1, resize: 'none' });
  assert.deepEqual(decodePlan(256, 256, 128, 'pil'), { shrink: 1, resize: 'pil' });
  assert.deepEqual(decodePlan(256, 256, 512, 'pil'), { shrink: 1, resize: 'pil' });
  assert.deepEqual(decodePlan(256, 256, 128, 'fast'), { shrink: 2, resize: 'none' });
  assert.deepEqual(decodePlan(256, 256, 64, 'fast'), { shrink: 4, resize: 'none' });
  assert.deepEqual(decodePlan(256, 256, 32, 'fast'), { shrink: 8, resize: 'none' });
  assert.deepEqual(decodePlan(256, 256, 16, 'fast'), { shrink: 8, resize: 'libvips' });
  assert.deepEqual(decodePlan(256, 256, 96, 'fast'), { shrink: 2, resize: 'libvips' });
  assert.deepEqual(decodePlan(256, 256, 200, 'fast'), { shrink: 1, resize: 'libvips' });
  assert.deepEqual(decodePlan(64, 64, 128, 'fast'), { shrink: 1, resize: 'libvips' });
  assert.deepEqual(decodePlan(100, 100, 13, 'fast'), { shrink: 8, resize: 'none' }); // libjpeg rounds up: ⌈100/8⌉ = 13
  assert.deepEqual(decodePlan(100, 100, 14, 'fast'), { shrink: 4, resize: 'libvips' });
});

void test('at the file size both modes decode the same values, with or without the probed size', async () => {
  const raw = await sharp(file).raw().toBuffer();
  const expected = new Float32Array(raw.length);
  normaliseInto(raw, expected);
  for (const options of [{ mode: 'pil' as const }, { mode: 'fast' as const }, { mode: 'fast' as const, fileSize: 64 }, {}]) {
    assert.deepEqual(await decode(64, options), expected, JSON.stringify(options));
  }
});

void test("pil: Pillow's bilinear on the full decode; fast: libjpeg's DCT scaling straight to the target", async () => {
  const raw = await sharp(file).raw().toBuffer();
  const pil = new Float32Array(32 * 32 * 3);
  resampleBilinearInto(raw, 64, 64, 32, 32, NORMALISE_LUT, pil, 0);
  assert.deepEqual(await decode(32, { mode: 'pil', fileSize: 64 }), pil);
  assert.deepEqual(await decode(32, { mode: 'pil' }), pil, 'the size is read from the decoded image');
  const scaled = await sharp(`${file}[shrink=2]`).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([scaled.info.width, scaled.info.height], [32, 32]);
  const fast = new Float32Array(32 * 32 * 3);
  normaliseInto(scaled.data, fast);
  assert.deepEqual(await decode(32, { mode: 'fast', fileSize: 64 }), fast);
  assert.notDeepEqual(fast, pil, 'the two modes differ when they resize');
  // a file of another size than the probed one still comes out at the target
  assert.equal((await decode(24, { mode: 'fast', fileSize: 128 })).length, 24 * 24 * 3);
});

void test('a truncated or missing file fails with IMAGE_UNREADABLE naming it, in both modes and with shrink-on-load', async () => {
  const broken = path.join(set.dir, 'broken.jpg');
  await writeFile(broken, (await readFile(file)).subarray(0, 200));
  try {
    for (const target of [broken, path.join(set.dir, 'missing.jpg')]) {
      for (const options of [{ mode: 'pil' as const }, { mode: 'fast' as const, fileSize: 64 }]) {
        await assert.rejects(decodeImageInto(target, 32, new Float32Array(32 * 32 * 3), 0, options), (e: unknown) => e instanceof DataError && e.code === 'IMAGE_UNREADABLE' && e.subject === target);
      }
    }
  } finally {
    await rm(broken, { force: true });
  }
});
