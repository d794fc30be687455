import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ResizeMode } from '@equilab/contracts';
import { generateDataset } from '../generator/generate-dataset';
import { PairLoader } from '../loader/pair.loader';
import { measureFidelity } from './fidelity';
import { findPillowPython, runPilReference } from './pil-reference.runner';

/**
 * `npm run bench -w @equilab/data [-- --quick] [--data DIR] [--python PATH]`: prints ONE JSON line on stdout
 * (progress on stderr).
 * - loader: 256 px JPEG → 256 / 128 / 64 px normalised float32 pairs, in both resize modes, with 1 and 2 worker
 *   threads: images/s and process CPU time per image (all threads; robust to other load on a shared machine);
 * - anchor: the same images through PIL + NumPy (`pil_reference.py bench`: decode, bilinear resize, float32,
 *   normalise, one image at a time) in 1 and 2 processes, and the ratios; skipped, with the reason, without a
 *   python3 that has Pillow;
 * - fidelity: each decoding path against PIL/torchvision, value by value (`pil_reference.py dump`);
 * - the time to generate the default set (10 × 40 × 50 at 64 px; skipped with `--quick`).
 * The bench set is generated once into the OS temp folder (or `--data DIR`, a set of 256 px files).
 */
const BENCH_SET = { classes: 4, objectsPerClass: 40, views: 6, size: 256, seed: 0 };
const RESOLUTIONS = [256, 128, 64];
const WORKERS = [1, 2];
const MODES: ResizeMode[] = ['fast', 'pil'];
const BATCH = 32;
/** Images timed per figure (whole epochs, at least this many). */
const TIMED_IMAGES = 1500;
const FIDELITY_IMAGES = 100;

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const round = (x: number, digits = 3) => Number(x.toFixed(digits));

async function benchSet(): Promise<{ dir: string; generatedSeconds: number | null }> {
  const given = flag('--data');
  if (given) return { dir: path.resolve(given), generatedSeconds: null };
  const { classes, objectsPerClass, views, size } = BENCH_SET;
  const dir = path.join(os.tmpdir(), `equilab-data-bench-${classes}x${objectsPerClass}x${views}-${size}px`);
  const marker = path.join(dir, 'bench-set.json');
  if (existsSync(marker) && (await readFile(marker, 'utf8')) === JSON.stringify(BENCH_SET)) return { dir, generatedSeconds: null };
  await rm(dir, { recursive: true, force: true });
  log(`generating the bench set (${classes} × ${objectsPerClass} × ${views} at ${size} px) in ${dir}`);
  const result = await generateDataset({ out: dir, ...BENCH_SET });
  await writeFile(marker, JSON.stringify(BENCH_SET));
  return { dir, generatedSeconds: result.seconds };
}

/** Every `image_*.jpg` of the set, in a fixed order. */
async function imageFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const synset of (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    for (const object of (await readdir(path.join(dir, synset))).sort()) {
      const names = (await readdir(path.join(dir, synset, object))).filter((n) => /^image_\d+\.jpg$/.test(n)).sort();
      files.push(...names.map((n) => path.join(dir, synset, object, n)));
    }
  }
  return files;
}

interface Throughput {
  imagesPerSecond: number;
  /** Process CPU time (user + system, every thread) per image, in ms. */
  cpuMsPerImage: number;
  images: number;
}

async function loaderThroughput(dir: string, resolution: number, workers: number, resize: ResizeMode): Promise<Throughput> {
  const loader = await PairLoader.open({
    root: dir,
    imagesFile: path.join(dir, 'train_images.npy'),
    labelsFile: path.join(dir, 'train_labels.npy'),
    resolution,
    resize,
    workers,
    batchSize: BATCH,
    prefetch: 4,
  });
  try {
    for await (const _ of loader.epoch(0)) void _; // warm-up: thread start-up, page cache, JIT
    let images = 0;
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    for (let epoch = 1; images < TIMED_IMAGES; epoch++) for await (const batch of loader.epoch(epoch)) images += 2 * batch.shape.batch;
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const used = process.cpuUsage(cpu);
    return { imagesPerSecond: Math.round(images / seconds), cpuMsPerImage: round((used.user + used.system) / 1e3 / images), images };
  } finally {
    await loader.close();
  }
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const loadBefore = os.loadavg();
  const set = await benchSet();
  const files = await imageFiles(set.dir);

  const loader: Record<string, Record<string, Record<string, Throughput>>> = {};
  for (const mode of MODES) {
    loader[mode] = {};
    for (const resolution of RESOLUTIONS) {
      const row: Record<string, Throughput> = {};
      for (const workers of WORKERS) row[`workers${workers}`] = await loaderThroughput(set.dir, resolution, workers, mode);
      loader[mode][`${resolution}px`] = row;
      log(`loader ${mode} ${resolution}px: ${JSON.stringify(row)}`);
    }
  }

  const python = findPillowPython(flag('--python'));
  let anchor: Record<string, unknown>;
  let ratios: Record<string, unknown> | null = null;
  let fidelity: Record<string, unknown>;
  if ('skipped' in python) {
    anchor = { skipped: python.skipped };
    fidelity = { skipped: python.skipped };
    log(`PIL anchor skipped: ${python.skipped}`);
  } else {
    const timed = files.slice(0, Math.max(TIMED_IMAGES, 1));
    const rows: Record<string, Record<string, unknown>> = {};
    ratios = {};
    for (const resolution of RESOLUTIONS) {
      const row: Record<string, unknown> = {};
      for (const processes of WORKERS) row[`processes${processes}`] = runPilReference(python.python, ['bench', String(resolution), String(processes)], timed);
      rows[`${resolution}px`] = row;
      log(`PIL ${resolution}px: ${JSON.stringify(row)}`);
      const pil = (n: number) => (row[`processes${n}`] as { imagesPerSecond: number }).imagesPerSecond;
      const ours = (mode: ResizeMode, n: number) => loader[mode]![`${resolution}px`]![`workers${n}`]!.imagesPerSecond;
      ratios[`${resolution}px`] = Object.fromEntries(
        MODES.map((mode) => [
          mode,
          {
            workers1VsPil1: round(ours(mode, 1) / pil(1), 2),
            workers2VsPil2: round(ours(mode, 2) / pil(2), 2),
            workers2VsWorkers1: round(ours(mode, 2) / ours(mode, 1), 2),
          },
        ]),
      );
    }
    anchor = { python: python.versions, what: 'PIL + NumPy: open, convert RGB, resize BILINEAR, float32, normalise; files split over the processes', ...rows };
    log('fidelity: decoding with every path and comparing with PIL/torchvision');
    fidelity = await measureFidelity(python.python, files.slice(0, FIDELITY_IMAGES), [128, 64]);
  }

  let generateDefault: { seconds: number; images: number; imagesPerSecond: number; workers: number } | null = null;
  if (!quick) {
    const out = await mkdtemp(path.join(os.tmpdir(), 'equilab-data-gen-default-'));
    try {
      const result = await generateDataset({ out });
      generateDefault = { seconds: round(result.seconds, 2), images: result.images, imagesPerSecond: Math.round(result.images / result.seconds), workers: result.workers };
      log(`generate default set: ${result.images} images in ${result.seconds.toFixed(1)} s`);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }

  console.log(
    JSON.stringify({
      bench: 'data.loader',
      description: `PairLoader: 256 px JPEG pairs → normalised float32 NHWC at 256/128/64 px, batch ${BATCH}, prefetch 4, images/s = 2 views × objects / wall time`,
      units: { imagesPerSecond: 'images/s', cpuMsPerImage: 'ms of process CPU time (all threads) per image', seconds: 's' },
      cores: os.availableParallelism(),
      loadAverage: { before: loadBefore.map((x) => round(x, 2)), after: os.loadavg().map((x) => round(x, 2)) },
      set: { dir: set.dir, ...(flag('--data') ? {} : BENCH_SET), images: files.length, generatedSeconds: set.generatedSeconds },
      loader,
      anchor,
      ratios,
      fidelity,
      generateDefault,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
