import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { npyToNumbers } from '../npy/npy.format';
import { readNpy } from '../npy/npy.io';
import { tinyDataset } from '../testing/tiny-dataset';

async function treeHashes(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out.set(path.relative(dir, p), createHash('sha256').update(await readFile(p)).digest('hex'));
    }
  };
  await walk(dir);
  return out;
}

let a: Awaited<ReturnType<typeof tinyDataset>>;
before(async () => {
  a = await tinyDataset();
});
after(async () => a.cleanup());

void test('writes the 3DIEBench layout: SYNSET/OBJ/image_v.jpg + latent_v.npy and four split files', async () => {
  const classes = (await readdir(a.dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  assert.equal(classes.length, 3);
  for (const c of classes) {
    assert.match(c, /^\d{8}$/);
    const objects = await readdir(path.join(a.dir, c));
    assert.equal(objects.length, 4);
    for (const o of objects) {
      assert.match(o, /^[0-9a-f]{32}$/);
      const files = (await readdir(path.join(a.dir, c, o))).sort();
      assert.deepEqual(files, ['image_0.jpg', 'image_1.jpg', 'image_2.jpg', 'image_3.jpg', 'latent_0.npy', 'latent_1.npy', 'latent_2.npy', 'latent_3.npy']);
      const meta = await sharp(path.join(a.dir, c, o, 'image_2.jpg')).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height, meta.channels], ['jpeg', 32, 32, 3]);
    }
  }
  const all: string[] = [];
  for (const split of ['train', 'val']) {
    const images = await readNpy(path.join(a.dir, `${split}_images.npy`));
    const labels = await readNpy(path.join(a.dir, `${split}_labels.npy`));
    assert.match(images.dtype, /^<U\d+$/);
    assert.equal(labels.dtype, '<i8');
    const entries = images.data as string[];
    const values = npyToNumbers(labels);
    assert.equal(entries.length, values.length);
    entries.forEach((entry, i) => {
      assert.match(entry, /^\/\d{8}\/[0-9a-f]{32}\/$/);
      assert.equal(classes.indexOf(entry.split('/')[1]!), values[i], 'label = index of the synset in sorted order');
    });
    // ≈ 80/20 per class: 3 train + 1 val of 4
    for (let c = 0; c < 3; c++) assert.equal(values.filter((v) => v === c).length, split === 'train' ? 3 : 1);
    all.push(...entries);
  }
  assert.equal(new Set(all).size, 12, 'every object in exactly one split');
});

void test('latents: float64 (7,) in the spec ranges', async () => {
  const images = (await readNpy(path.join(a.dir, 'train_images.npy'))).data as string[];
  const seen: number[][] = [];
  for (const entry of images) {
    for (let v = 0; v < 4; v++) {
      const latent = await readNpy(path.join(a.dir, entry, `latent_${v}.npy`));
      assert.equal(latent.dtype, '<f8');
      assert.deepEqual(latent.shape, [7]);
      const l = Array.from(latent.data);
      for (let k = 0; k < 3; k++) assert.ok(Math.abs(l[k]!) <= Math.PI / 2, `euler ${k}`);
      assert.ok(l[3]! >= 0 && l[3]! <= 1);
      assert.ok(l[4]! >= 0 && l[4]! <= Math.PI / 4);
      assert.ok(l[5]! >= 0 && l[5]! <= 2 * Math.PI);
      assert.ok(l[6]! >= 0 && l[6]! <= 1);
      seen.push(l);
    }
  }
  // views are re-sampled independently: no two latents equal, and the ranges are actually used
  assert.equal(new Set(seen.map((l) => l.join())).size, seen.length);
  assert.ok(Math.max(...seen.map((l) => l[0]!)) > 0.5 && Math.min(...seen.map((l) => l[0]!)) < -0.5);
});

void test('same seed → identical bytes whatever the worker count; another seed → different data', async () => {
  const b = await tinyDataset({ workers: 2 });
  const c = await tinyDataset({ seed: 1 });
  try {
    const [ha, hb, hc] = await Promise.all([treeHashes(a.dir), treeHashes(b.dir), treeHashes(c.dir)]);
    assert.equal(ha.size, 3 * 4 * 8 + 4);
    assert.deepEqual(hb, ha);
    assert.equal(hc.size, ha.size);
    assert.notEqual(hc.get('train_images.npy'), ha.get('train_images.npy'));
    const imagesA = new Set([...ha].filter(([k]) => k.endsWith('.jpg')).map(([, h]) => h));
    assert.ok([...hc].filter(([k]) => k.endsWith('.jpg')).every(([, h]) => !imagesA.has(h)), 'no image of seed 1 equals one of seed 0');
  } finally {
    await Promise.all([b.cleanup(), c.cleanup()]);
  }
});
