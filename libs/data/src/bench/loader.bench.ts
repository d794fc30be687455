import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateDataset } from '../generator/generate-dataset';
import { PairLoader } from '../loader/pair.loader';

/**
 * `npm run bench -w @equilab/data`: loader throughput (images/s through decode, resize and normalise) at 64, 128
 * and 256 px with 1 and 2 workers on a generated 256 px set (cached in the OS temp folder), and the time to
 * generate the default set (10 × 40 × 50 at 64 px; skipped with `--quick`). Prints one JSON line on stdout.
 */
const BENCH_SET = { classes: 4, objectsPerClass: 10, views: 10, size: 256, seed: 0 };
const RESOLUTIONS = [64, 128, 256];
const WORKERS = [1, 2];
const EPOCHS = 3;

async function benchSet(): Promise<{ dir: string; generatedSeconds: number | null }> {
  const dir = path.join(os.tmpdir(), `equilab-data-bench-${BENCH_SET.classes}x${BENCH_SET.objectsPerClass}x${BENCH_SET.views}-${BENCH_SET.size}px`);
  const marker = path.join(dir, 'bench-set.json');
  if (existsSync(marker) && (await readFile(marker, 'utf8')) === JSON.stringify(BENCH_SET)) return { dir, generatedSeconds: null };
  await rm(dir, { recursive: true, force: true });
  const result = await generateDataset({ out: dir, ...BENCH_SET });
  await writeFile(marker, JSON.stringify(BENCH_SET));
  return { dir, generatedSeconds: result.seconds };
}

async function throughput(dir: string, resolution: number, workers: number): Promise<number> {
  const loader = await PairLoader.open({
    root: dir,
    imagesFile: path.join(dir, 'train_images.npy'),
    labelsFile: path.join(dir, 'train_labels.npy'),
    resolution,
    workers,
    batchSize: 16,
    prefetch: 4,
  });
  try {
    for await (const _ of loader.epoch(0)) break; // warm-up: worker start-up and first decode
    let images = 0;
    const start = process.hrtime.bigint();
    for (let epoch = 1; epoch <= EPOCHS; epoch++) for await (const batch of loader.epoch(epoch)) images += 2 * batch.shape.batch;
    return images / (Number(process.hrtime.bigint() - start) / 1e9);
  } finally {
    await loader.close();
  }
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const set = await benchSet();
  const loader: Record<string, Record<string, number>> = {};
  for (const resolution of RESOLUTIONS) {
    const row: Record<string, number> = {};
    for (const workers of WORKERS) row[`workers${workers}`] = Math.round(await throughput(set.dir, resolution, workers));
    loader[`${resolution}px`] = row;
    process.stderr.write(`loader ${resolution}px: ${JSON.stringify(row)} images/s\n`);
  }
  let generateDefault: { seconds: number; images: number; imagesPerSecond: number; workers: number } | null = null;
  if (!quick) {
    const out = await mkdtemp(path.join(os.tmpdir(), 'equilab-data-gen-default-'));
    try {
      const result = await generateDataset({ out });
      generateDefault = { seconds: Number(result.seconds.toFixed(2)), images: result.images, imagesPerSecond: Math.round(result.images / result.seconds), workers: result.workers };
      process.stderr.write(`generate default set: ${result.images} images in ${result.seconds.toFixed(1)} s\n`);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }
  console.log(
    JSON.stringify({
      package: '@equilab/data',
      cpus: os.availableParallelism(),
      loadAverage: Number(os.loadavg()[0]?.toFixed(2)),
      loaderImagesPerSecond: loader,
      loaderSetup: { set: BENCH_SET, batchSize: 16, prefetch: 4, epochs: EPOCHS, imagesPerEpoch: 'two views per train object' },
      benchSetGeneratedSeconds: set.generatedSeconds,
      generateDefault,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
