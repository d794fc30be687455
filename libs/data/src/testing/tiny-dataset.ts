import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateDataset, type GenerateResult } from '../generator/generate-dataset';
import type { GenerateDatasetOptions } from '@equilab/contracts';

/** Generate a tiny synthetic set (3 classes × 4 objects × 4 views at 32 px by default) into a temp folder. */
export async function tinyDataset(overrides: Partial<GenerateDatasetOptions> = {}): Promise<{ dir: string; result: GenerateResult; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'equilab-data-test-'));
  const result = await generateDataset({ out: dir, classes: 3, objectsPerClass: 4, views: 4, size: 32, seed: 0, workers: 0, ...overrides });
  return { dir, result, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export function splitFiles(dir: string, split: 'train' | 'val' = 'train'): { root: string; imagesFile: string; labelsFile: string } {
  return { root: dir, imagesFile: path.join(dir, `${split}_images.npy`), labelsFile: path.join(dir, `${split}_labels.npy`) };
}
