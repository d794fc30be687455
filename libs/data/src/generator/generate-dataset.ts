import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { generateDatasetOptionsSchema, type GenerateDatasetOptions } from '@equilab/contracts';
import { DataError } from '../data.error';
import { parseDataOptions } from '../data.options';
import { encodeNpy, unicodeArray } from '../npy/npy.format';
import { objectId, splitPlan, synsetIds, type SplitPlan } from './dataset.plan';
import { writeObject, type ObjectTask, type RenderSettings } from './object.writer';
import type { RenderReply, RenderRequest } from './render.worker';

export interface GenerateResult {
  out: string;
  classes: number;
  objects: number;
  views: number;
  images: number;
  size: number;
  train: number;
  val: number;
  workers: number;
  seconds: number;
}

/** Progress callback: objects done so far out of the total. */
export type GenerateProgress = (done: number, total: number) => void;

const CHUNK = 4;

async function renderInWorkers(tasks: ObjectTask[], settings: RenderSettings, workers: number, onDone: () => void): Promise<void> {
  let next = 0;
  const pool = Array.from({ length: workers }, () => new Worker(path.join(__dirname, 'render.worker.js'), { workerData: settings }));
  try {
    await Promise.all(
      pool.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            let pending = 0;
            const feed = () => {
              if (next >= tasks.length) {
                if (pending === 0) resolve();
                return;
              }
              const chunk = tasks.slice(next, next + CHUNK);
              next += chunk.length;
              pending = chunk.length;
              worker.postMessage({ type: 'render', tasks: chunk } satisfies RenderRequest);
            };
            worker.on('message', (reply: RenderReply) => {
              if (reply.type === 'error') {
                reject(new DataError('WORKER_FAILED', settings.root, `render worker failed: ${reply.message}`));
                return;
              }
              pending -= reply.count;
              onDone();
              if (pending === 0) feed();
            });
            worker.once('error', (error) => reject(new DataError('WORKER_FAILED', settings.root, `render worker crashed: ${error.message}`)));
            feed();
          }),
      ),
    );
  } finally {
    await Promise.all(pool.map((worker) => worker.terminate()));
  }
}

/** `{train,val}_{images,labels}.npy` of a split plan: `<U{n}` object paths and int64 labels, as the published files. */
export async function writeSplitFiles(out: string, plan: SplitPlan): Promise<void> {
  for (const split of ['train', 'val'] as const) {
    const entries = plan[split];
    await writeFile(path.join(out, `${split}_images.npy`), encodeNpy(unicodeArray(entries.map((e) => e.path))));
    await writeFile(
      path.join(out, `${split}_labels.npy`),
      encodeNpy({ dtype: '<i8', shape: [entries.length], data: BigInt64Array.from(entries.map((e) => BigInt(e.label))) }),
    );
  }
}

/**
 * Write a 3DIEBench-shaped synthetic dataset under `out`: `SYNSET/OBJ/image_{v}.jpg` + `latent_{v}.npy` for every
 * object and view, and `{train,val}_{images,labels}.npy` split files in the format of the published ones.
 * Same options (seed included) → identical bytes, whatever the number of workers.
 */
export async function generateDataset(input: GenerateDatasetOptions, onProgress?: GenerateProgress): Promise<GenerateResult> {
  const started = process.hrtime.bigint();
  const options = parseDataOptions(generateDatasetOptionsSchema, input);
  const out = path.resolve(options.out);
  try {
    await mkdir(out, { recursive: true });
  } catch (error) {
    throw new DataError('INVALID_OPTION', out, `cannot create the output folder: ${(error as Error).message}`);
  }
  const synsets = synsetIds(options.seed, options.classes);
  const plan = splitPlan(options.seed, synsets, options.objectsPerClass, options.trainFraction);
  const tasks: ObjectTask[] = [];
  for (let c = 0; c < options.classes; c++) {
    for (let o = 0; o < options.objectsPerClass; o++) tasks.push({ classIndex: c, objectIndex: o, entry: `/${synsets[c]}/${objectId(options.seed, c, o)}/` });
  }
  const settings: RenderSettings = { root: out, seed: options.seed, views: options.views, size: options.size, jpegQuality: options.jpegQuality };
  const workers = Math.min(options.workers ?? Math.min(8, os.availableParallelism()), Math.ceil(tasks.length / CHUNK));
  let done = 0;
  const tick = () => {
    done += 1;
    onProgress?.(done, tasks.length);
  };
  onProgress?.(0, tasks.length);
  if (workers <= 0) {
    for (const task of tasks) {
      await writeObject(task, settings);
      tick();
    }
  } else {
    await renderInWorkers(tasks, settings, workers, tick);
  }
  await writeSplitFiles(out, plan);
  return {
    out,
    classes: options.classes,
    objects: tasks.length,
    views: options.views,
    images: tasks.length * options.views,
    size: options.size,
    train: plan.train.length,
    val: plan.val.length,
    workers: Math.max(0, workers),
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
}
