import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DataError } from '../data.error';
import { splitFiles, tinyDataset } from '../testing/tiny-dataset';
import { PairLoader, defaultLoaderWorkers } from './pair.loader';
import { itemSeed, type PairBatch } from './pair.batch';

let tiny: Awaited<ReturnType<typeof tinyDataset>>;
before(async () => {
  tiny = await tinyDataset();
});
after(async () => tiny.cleanup());

async function collect(loader: PairLoader, epoch: number): Promise<PairBatch[]> {
  const out: PairBatch[] = [];
  for await (const batch of loader.epoch(epoch)) out.push(batch);
  return out;
}

async function collectFrom(loader: PairLoader, epoch: number, startBatch: number): Promise<PairBatch[]> {
  const out: PairBatch[] = [];
  for await (const batch of loader.epoch(epoch, startBatch)) out.push(batch);
  return out;
}

const plain = (batches: PairBatch[]) =>
  batches.map((b) => ({ ...b, x1: Array.from(b.x1), x2: Array.from(b.x2), latents: Array.from(b.latents), labels: Array.from(b.labels), indices: Array.from(b.indices), views: Array.from(b.views) }));

void test('batches: shapes, an epoch visits every object once, seeded shuffle per epoch', async () => {
  const loader = await PairLoader.open({ ...splitFiles(tiny.dir), resolution: 32, batchSize: 4, seed: 3, latentMode: 'rotcolor' });
  try {
    const batches = await collect(loader, 0);
    assert.equal(batches.length, 3); // 9 objects / 4, last partial kept
    assert.deepEqual(batches.map((b) => b.shape.batch), [4, 4, 1]);
    for (const b of batches) {
      const n = b.shape.batch;
      assert.deepEqual(b.shape, { batch: n, height: 32, width: 32, channels: 3, latent: 6 });
      assert.equal(b.x1.length, n * 32 * 32 * 3);
      assert.equal(b.x2.length, n * 32 * 32 * 3);
      assert.equal(b.latents.length, n * 6);
      assert.equal(b.labels.length, n);
      for (let i = 0; i < n; i++) {
        assert.notEqual(b.views[2 * i], b.views[2 * i + 1]);
        assert.equal(b.labels[i], loader.dataset.labels[b.indices[i]!]);
      }
    }
    const visited = batches.flatMap((b) => Array.from(b.indices));
    assert.deepEqual([...visited].sort((a, b) => a - b), Array.from({ length: 9 }, (_, i) => i));
    const epoch1 = (await collect(loader, 1)).flatMap((b) => Array.from(b.indices));
    assert.deepEqual([...epoch1].sort((a, b) => a - b), Array.from({ length: 9 }, (_, i) => i));
    assert.notDeepEqual(epoch1, visited, 'epochs are shuffled differently');
    // each pair is the dataset's item for the per-(seed, epoch, object) view draw
    const b0 = batches[0]!;
    const item = await loader.dataset.get(b0.indices[1]!, itemSeed(3, 0, b0.indices[1]!));
    assert.deepEqual(Array.from(b0.views.subarray(2, 4)), item.views);
    assert.deepEqual(Array.from(b0.latents.subarray(6, 12)), Array.from(item.latent));
    assert.deepEqual(Array.from(b0.x2.subarray(32 * 32 * 3, 2 * 32 * 32 * 3)), Array.from(item.x2));
  } finally {
    await loader.close();
  }
});

void test('deterministic for (seed, epoch): identical batches in-process, with 2 workers, and across loaders', async () => {
  const open = (workers: number, seed = 5) => PairLoader.open({ ...splitFiles(tiny.dir), resolution: 32, batchSize: 4, seed, workers, prefetch: 2 });
  const [a, b, c, d] = await Promise.all([open(0), open(2), open(2), open(0, 6)]);
  try {
    const [ba, bb, bc, bd] = await Promise.all([collect(a, 2), collect(b, 2), collect(c, 2), collect(d, 2)]);
    assert.deepEqual(plain(bb), plain(bc), 'same seed and worker count');
    assert.deepEqual(plain(ba), plain(bb), 'worker count does not change the batches');
    assert.notDeepEqual(plain(bd).map((x) => x.indices), plain(ba).map((x) => x.indices), 'seed changes the order');
    // resuming mid-epoch yields exactly the remaining batches of a full pass
    assert.deepEqual(plain(await collectFrom(b, 2, 1)), plain(ba).slice(1));
    // the default iterator walks epochs 0, 1, … and still covers every object
    let seen = 0;
    for await (const batch of a) seen += batch.shape.batch;
    assert.equal(seen, 9);
  } finally {
    await Promise.all([a.close(), b.close(), c.close(), d.close()]);
  }
});

void test('dropLast drops the partial batch; shuffle=false keeps the split order', async () => {
  const loader = await PairLoader.open({ ...splitFiles(tiny.dir), resolution: 16, batchSize: 4, dropLast: true, shuffle: false });
  try {
    assert.equal(loader.batchesPerEpoch, 2);
    const batches = await collect(loader, 0);
    assert.deepEqual(batches.map((b) => Array.from(b.indices)), [[0, 1, 2, 3], [4, 5, 6, 7]]);
  } finally {
    await loader.close();
  }
});

void test('bad images: an error naming the file by default (in-process and in workers); skipBad skips and counts', async () => {
  const copy = `${tiny.dir}-bad-images`;
  await cp(tiny.dir, copy, { recursive: true });
  try {
    const files = splitFiles(copy);
    const probe = await PairLoader.open({ ...files, resolution: 32, batchSize: 3, workers: 0 });
    const broken = probe.dataset.objectDir(2);
    await probe.close();
    for (let v = 0; v < 4; v++) {
      const file = path.join(broken, `image_${v}.jpg`);
      await writeFile(file, (await readFile(file)).subarray(0, 30));
    }
    for (const workers of [0, 1]) {
      const loader = await PairLoader.open({ ...files, resolution: 32, batchSize: 3, workers });
      try {
        await assert.rejects(collect(loader, 0), (e: unknown) => e instanceof DataError && e.code === 'IMAGE_UNREADABLE' && e.message.includes(broken));
      } finally {
        await loader.close();
      }
    }
    for (const workers of [0, 2]) {
      const loader = await PairLoader.open({ ...files, resolution: 32, batchSize: 3, workers, skipBad: true });
      try {
        const batches = await collect(loader, 0);
        const indices = batches.flatMap((b) => Array.from(b.indices));
        assert.equal(indices.length, 8);
        assert.ok(!indices.includes(2));
        assert.equal(loader.stats.badItems, 1);
        assert.ok(loader.stats.badFiles[0]!.includes(broken));
        const withSkip = batches.find((b) => b.skipped.length > 0)!;
        assert.equal(withSkip.shape.batch, 2);
        assert.equal(withSkip.x1.length, 2 * 32 * 32 * 3);
        assert.equal(withSkip.latents.length, 2 * 4);
      } finally {
        await loader.close();
      }
    }
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
});

void test('close() stops the workers even mid-epoch; a closed loader refuses to iterate', async () => {
  const loader = await PairLoader.open({ ...splitFiles(tiny.dir), resolution: 32, batchSize: 2, workers: 2, prefetch: 3 });
  for await (const batch of loader.epoch(0)) {
    assert.equal(batch.shape.batch, 2);
    break;
  }
  await loader.close();
  await loader.close();
  await assert.rejects(collect(loader, 1), (e: unknown) => e instanceof DataError && /closed/.test(e.message));
});

void test('prefetch bounds the batches decoded ahead, and decoding of the next batches overlaps the current one', async () => {
  const loader = await PairLoader.open({ ...splitFiles(tiny.dir), resolution: 16, batchSize: 2, prefetch: 2, workers: 0 });
  const dataset = loader.dataset;
  const original = dataset.get.bind(dataset);
  let inFlight = 0;
  let maxInFlight = 0;
  dataset.get = async (...args: Parameters<typeof dataset.get>) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      return await original(...args);
    } finally {
      inFlight--;
    }
  };
  try {
    let batches = 0;
    for await (const batch of loader.epoch(0)) {
      batches++;
      assert.ok(batch.shape.batch >= 1);
    }
    assert.equal(batches, 5);
    assert.equal(maxInFlight, 4, 'two batches of two items in flight, never more');
  } finally {
    await loader.close();
  }
});

void test('workers default to the cores (at most 8); batches are equal for 0, 1 and 3 workers in fast mode, on own buffers', async () => {
  const loader = await PairLoader.open({ ...splitFiles(tiny.dir), resolution: 16, batchSize: 4 });
  try {
    assert.equal(loader.options.workers, defaultLoaderWorkers());
    assert.equal(defaultLoaderWorkers(), Math.min(8, os.availableParallelism()));
  } finally {
    await loader.close();
  }
  const runs = await Promise.all(
    [0, 1, 3].map(async (workers) => {
      const l = await PairLoader.open({ ...splitFiles(tiny.dir), resolution: 16, resize: 'fast', batchSize: 2, seed: 9, workers });
      try {
        return await collect(l, 4);
      } finally {
        await l.close();
      }
    }),
  );
  assert.deepEqual(plain(runs[1]!), plain(runs[0]!));
  assert.deepEqual(plain(runs[2]!), plain(runs[0]!));
  // Each image array owns its whole buffer: transferring it from a worker moves exactly the batch, no copy.
  for (const b of runs[2]!) for (const a of [b.x1, b.x2, b.latents]) assert.equal(a.buffer.byteLength, a.byteLength);
});
