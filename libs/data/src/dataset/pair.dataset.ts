import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { LATENT_SIZES, pairDatasetOptionsSchema, type LatentMode, type PairDatasetOptions, type ResizeMode } from '@equilab/contracts';
import sharp from 'sharp';
import { DataError } from '../data.error';
import { parseDataOptions } from '../data.options';
import { npyToNumbers } from '../npy/npy.format';
import { readNpy, readNpySync } from '../npy/npy.io';
import { Prng } from '../random/prng';
import { LATENT_DIM, transformationLatent } from '../rotation/transformation-latent';
import { decodeImageInto } from './image.decoder';

/** One sample: two distinct views of one object, their transformation latent and the object's label. */
export interface PairItem {
  index: number;
  label: number;
  views: [number, number];
  /** H·W·3 normalised float32, HWC. */
  x1: Float32Array;
  x2: Float32Array;
  latent: Float32Array;
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** Number of consecutive `image_{v}.jpg` (v = 0, 1, …) in an object folder. */
async function countViews(dir: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    throw new DataError('FILE_MISSING', dir, 'object folder of the first split entry does not exist');
  }
  const present = new Set(names);
  let v = 0;
  while (present.has(`image_${v}.jpg`)) v++;
  return v;
}

/** Side of a square first image (the set's file size, which lets `fast` plan its shrink-on-load), else undefined. */
async function probeFileSize(file: string): Promise<number | undefined> {
  try {
    const { width, height } = await sharp(file).metadata();
    return width !== undefined && width === height ? width : undefined;
  } catch {
    return undefined; // an unreadable first image is reported, naming it, when it is decoded
  }
}

/**
 * The 3DIEBench pair dataset (spec §1.3): item i = object i of the split; two distinct views drawn uniformly
 * from its V, decoded, resized, normalised; the latent between them in `quat`, `rotcolor` or `all` mode.
 */
export class PairDataset {
  private constructor(
    readonly root: string,
    readonly entries: readonly string[],
    readonly labels: Int32Array,
    readonly views: number,
    readonly numClasses: number,
    readonly resolution: number,
    readonly latentMode: LatentMode,
    readonly resize: ResizeMode,
    /** Side of the files as probed on the first image (undefined if not square or unreadable). */
    readonly fileSize: number | undefined,
  ) {}

  get length(): number {
    return this.entries.length;
  }

  get latentSize(): number {
    return LATENT_SIZES[this.latentMode];
  }

  /** Values per image (H·W·3). */
  get imageSize(): number {
    return this.resolution * this.resolution * 3;
  }

  /** Validate the root and split files, detect V and the class count, and open the dataset. */
  static async open(input: PairDatasetOptions): Promise<PairDataset> {
    const options = parseDataOptions(pairDatasetOptionsSchema, input);
    const root = path.resolve(options.root);
    if (!(await isDirectory(root))) throw new DataError('ROOT_MISSING', root, 'dataset root does not exist or is not a folder');
    const imagesFile = path.resolve(options.imagesFile);
    const labelsFile = path.resolve(options.labelsFile);
    const images = await readNpy(imagesFile);
    if (!images.dtype.startsWith('<U') || images.shape.length !== 1) {
      throw new DataError('NPY_UNSUPPORTED', imagesFile, `expected a 1-D array of strings (<U{n}), got '${images.dtype}' of shape (${images.shape.join(', ')})`);
    }
    const labelsArray = await readNpy(labelsFile);
    if (labelsArray.dtype.startsWith('<U') || labelsArray.shape.length !== 1) {
      throw new DataError('NPY_UNSUPPORTED', labelsFile, `expected a 1-D integer array, got '${labelsArray.dtype}' of shape (${labelsArray.shape.join(', ')})`);
    }
    const entries = images.data as string[];
    const labelValues = npyToNumbers(labelsArray, labelsFile);
    if (entries.length !== labelValues.length) {
      throw new DataError('SPLIT_MISMATCH', labelsFile, `has ${labelValues.length} labels but ${imagesFile} has ${entries.length} entries`);
    }
    if (entries.length === 0) throw new DataError('SPLIT_MISMATCH', imagesFile, 'split is empty');
    let numClasses = options.numClasses;
    if (numClasses === undefined) {
      const names = await readdir(root, { withFileTypes: true });
      numClasses = names.filter((d) => d.isDirectory()).length;
    }
    labelValues.forEach((label, i) => {
      if (!Number.isInteger(label) || label < 0 || label >= (numClasses)) {
        throw new DataError('LABEL_OUT_OF_RANGE', labelsFile, `label ${label} at index ${i} is outside 0..${(numClasses) - 1}`);
      }
    });
    const views = options.views ?? (await countViews(path.join(root, entries[0] as string)));
    if (views < 2) {
      throw new DataError('TOO_FEW_VIEWS', path.join(root, entries[0] as string), `found ${views} view(s) (image_0.jpg, …); pairs need at least 2`);
    }
    const fileSize = await probeFileSize(path.join(root, entries[0] as string, 'image_0.jpg'));
    return new PairDataset(root, entries, Int32Array.from(labelValues), views, numClasses, options.resolution, options.latentMode, options.resize, fileSize);
  }

  /** Folder of object `index` (split entries start with "/": joined to the root, never treated as absolute). */
  objectDir(index: number): string {
    return path.join(this.root, this.entries[index] as string);
  }

  imagePath(index: number, view: number): string {
    return path.join(this.objectDir(index), `image_${view}.jpg`);
  }

  latentPath(index: number, view: number): string {
    return path.join(this.objectDir(index), `latent_${view}.npy`);
  }

  /** The two views of item `index` under `seed` (uniform, distinct). */
  pickViews(seed: number): [number, number] {
    return new Prng(seed).distinctPair(this.views);
  }

  /**
   * The 7 float64 latents of one view. Read synchronously: a latent file is 184 bytes, and `fs.promises.readFile`
   * (open, stat, read, close on libuv's pool) cost about ten times the CPU of the read itself, twice per pair.
   */
  readLatentSync(index: number, view: number): number[] {
    const file = this.latentPath(index, view);
    const array = readNpySync(file);
    if (array.dtype !== '<f8' && array.dtype !== '<f4') throw new DataError('LATENT_INVALID', file, `expected float64 latents, got '${array.dtype}'`);
    const values = Array.from(array.data);
    if (values.length < LATENT_DIM || values.some((v) => !Number.isFinite(v))) {
      throw new DataError('LATENT_INVALID', file, `expected ${LATENT_DIM} finite values, got [${values.join(', ')}]`);
    }
    return values;
  }

  readLatent(index: number, view: number): Promise<number[]> {
    try {
      return Promise.resolve(this.readLatentSync(index, view));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /**
   * Item `index` with views drawn from a PRNG seeded by `seed`, written into the given buffers (at `offset`
   * images / latents) or fresh ones.
   */
  async get(index: number, seed: number, target?: { x1: Float32Array; x2: Float32Array; latent: Float32Array; slot: number }): Promise<PairItem> {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) throw new DataError('INVALID_OPTION', 'index', `${index} is outside 0..${this.length - 1}`);
    const views = this.pickViews(seed);
    const slot = target?.slot ?? 0;
    const x1 = target?.x1 ?? new Float32Array(this.imageSize);
    const x2 = target?.x2 ?? new Float32Array(this.imageSize);
    const latent = target?.latent ?? new Float32Array(this.latentSize);
    const decode = { mode: this.resize, fileSize: this.fileSize };
    const images = Promise.all([
      decodeImageInto(this.imagePath(index, views[0]), this.resolution, x1, slot * this.imageSize, decode),
      decodeImageInto(this.imagePath(index, views[1]), this.resolution, x2, slot * this.imageSize, decode),
    ]);
    let latents: number[];
    try {
      latents = transformationLatent(this.latentMode, this.readLatentSync(index, views[0]), this.readLatentSync(index, views[1]));
    } catch (error) {
      await images.catch(() => undefined); // the buffers are not written after this item has failed
      throw error;
    }
    await images;
    latent.set(latents, slot * this.latentSize);
    return { index, label: this.labels[index] as number, views, x1, x2, latent };
  }
}
