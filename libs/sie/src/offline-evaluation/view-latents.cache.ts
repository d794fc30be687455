import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { readNpy, writeNpy, type PairDataset } from '@equilab/data';

export const VIEW_LATENT_DIM = 7;

/** Cache file name of a split's per-view latents (spec §1.2 `all_latents_{split}.npy`). */
export function viewLatentsFile(split: string): string {
  return `all_latents_${split}.npy`;
}

async function readCached(file: string, rows: number): Promise<Float64Array | null> {
  if (!existsSync(file)) return null;
  try {
    const array = await readNpy(file);
    if (array.dtype !== '<f8' || array.shape[0] !== rows || array.shape[1] !== VIEW_LATENT_DIM) return null;
    return array.data;
  } catch {
    return null;
  }
}

/**
 * Latents of every image of a split, float64 (N·V, 7), row k = object ⌊k/V⌋ (split order), view k mod V — read
 * from the dataset's own `latent_{v}.npy` files once, then from `all_latents_<split>.npy` in the first of
 * `cacheDirs` where it exists with the right shape (written to the first writable one).
 */
export async function loadViewLatents(dataset: PairDataset, split: string, cacheDirs: readonly string[]): Promise<{ latents: Float64Array; cachedAt: string | null; fromCache: boolean }> {
  const rows = dataset.length * dataset.views;
  for (const dir of cacheDirs) {
    const cached = await readCached(path.join(dir, viewLatentsFile(split)), rows);
    if (cached) return { latents: cached, cachedAt: path.join(dir, viewLatentsFile(split)), fromCache: true };
  }
  const latents = new Float64Array(rows * VIEW_LATENT_DIM);
  for (let i = 0; i < dataset.length; i++) {
    const views = await Promise.all(Array.from({ length: dataset.views }, (_, v) => dataset.readLatent(i, v)));
    views.forEach((values, v) => latents.set(values.slice(0, VIEW_LATENT_DIM), (i * dataset.views + v) * VIEW_LATENT_DIM));
  }
  for (const dir of cacheDirs) {
    const file = path.join(dir, viewLatentsFile(split));
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      mkdirSync(dir, { recursive: true });
      await writeNpy(tmp, { dtype: '<f8', shape: [rows, VIEW_LATENT_DIM], data: latents });
      renameSync(tmp, file);
      return { latents, cachedAt: file, fromCache: false };
    } catch {
      rmSync(tmp, { force: true });
    }
  }
  return { latents, cachedAt: null, fromCache: false };
}
