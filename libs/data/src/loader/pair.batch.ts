import { DataError, isDataError } from '../data.error';
import { deriveSeed } from '../random/prng';
import type { PairDataset } from '../dataset/pair.dataset';

/** A batch of pairs as plain typed arrays (libs/sie turns them into tensors). */
export interface PairBatch {
  /** B·H·W·3 normalised view-1 images, NHWC. */
  x1: Float32Array;
  x2: Float32Array;
  /** B·L transformation latents. */
  latents: Float32Array;
  labels: Int32Array;
  /** Dataset (split) indices of the objects. */
  indices: Int32Array;
  /** B·2 view numbers (v1, v2) of each pair. */
  views: Int32Array;
  shape: { batch: number; height: number; width: number; channels: 3; latent: number };
  epoch: number;
  batchIndex: number;
  /** With `skipBad`: "file: reason" of every item skipped in this batch. */
  skipped: string[];
}

/** Codes of per-item failures that `skipBad` skips (everything else is a bug or a broken set-up: thrown). */
const SKIPPABLE = new Set(['IMAGE_UNREADABLE', 'LATENT_INVALID', 'FILE_MISSING', 'NPY_MALFORMED', 'NPY_UNSUPPORTED']);

/** Seed of the view draw of item `index` in `epoch`: independent of batch composition and worker count. */
export function itemSeed(seed: number, epoch: number, index: number): number {
  return deriveSeed(seed, 0x5eed, epoch, index);
}

/**
 * A Float32Array on fresh memory that is not zero-filled first (each value is written before the batch is handed
 * out; a failed batch is dropped), with an ArrayBuffer of its own, so it can be transferred from a worker thread.
 */
function uninitialisedFloat32(length: number): Float32Array {
  return new Float32Array(Buffer.allocUnsafeSlow(length * 4).buffer, 0, length);
}

/** Decode one batch (all items concurrently; sharp decodes on the libuv pool). */
export async function buildPairBatch(
  dataset: PairDataset,
  indices: readonly number[],
  seed: number,
  epoch: number,
  batchIndex: number,
  skipBad: boolean,
): Promise<PairBatch> {
  const n = indices.length;
  const imageSize = dataset.imageSize;
  const latentSize = dataset.latentSize;
  const x1 = uninitialisedFloat32(n * imageSize);
  const x2 = uninitialisedFloat32(n * imageSize);
  const latents = new Float32Array(n * latentSize);
  const views = new Int32Array(2 * n);
  const bad: (string | null)[] = new Array<string | null>(n).fill(null);
  await Promise.all(
    indices.map(async (index, slot) => {
      try {
        const item = await dataset.get(index, itemSeed(seed, epoch, index), { x1, x2, latent: latents, slot });
        views[2 * slot] = item.views[0];
        views[2 * slot + 1] = item.views[1];
      } catch (error) {
        if (skipBad && isDataError(error) && SKIPPABLE.has(error.code)) bad[slot] = error.message;
        else throw error;
      }
    }),
  );
  const keep = indices.map((_, slot) => slot).filter((slot) => bad[slot] === null);
  const labels = Int32Array.from(keep, (slot) => dataset.labels[indices[slot] as number] as number);
  const shape = { batch: keep.length, height: dataset.resolution, width: dataset.resolution, channels: 3 as const, latent: latentSize };
  const skipped = bad.filter((b): b is string => b !== null);
  if (keep.length === n) {
    return { x1, x2, latents, labels, indices: Int32Array.from(indices), views, shape, epoch, batchIndex, skipped };
  }
  const compact = (src: Float32Array | Int32Array, size: number) => {
    const out = new (src.constructor as Float32ArrayConstructor | Int32ArrayConstructor)(keep.length * size);
    keep.forEach((slot, k) => out.set(src.subarray(slot * size, (slot + 1) * size), k * size));
    return out;
  };
  return {
    x1: compact(x1, imageSize) as Float32Array,
    x2: compact(x2, imageSize) as Float32Array,
    latents: compact(latents, latentSize) as Float32Array,
    labels,
    indices: Int32Array.from(keep, (slot) => indices[slot] as number),
    views: compact(views, 2) as Int32Array,
    shape,
    epoch,
    batchIndex,
    skipped,
  };
}

export function batchTransferList(batch: PairBatch): ArrayBuffer[] {
  return [batch.x1, batch.x2, batch.latents, batch.labels, batch.indices, batch.views].map((a) => a.buffer as ArrayBuffer);
}

/** Re-create a DataError thrown in a worker thread. */
export function reviveError(value: unknown): Error {
  if (value && typeof value === 'object' && 'code' in value && 'subject' in value && 'reason' in value) {
    return DataError.fromJSON(value as ReturnType<DataError['toJSON']>);
  }
  return new DataError('WORKER_FAILED', 'loader worker', String((value as { message?: unknown })?.message ?? value));
}
