import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { DatasetSummary } from '@equilab/contracts';
import { DataError } from '../data.error';
import { npyToNumbers } from '../npy/npy.format';
import { readNpy } from '../npy/npy.io';

/**
 * Summary of a 3DIEBench-shaped folder: class folders, objects, views per object (from the first object),
 * image resolution (first image) and, for every `{split}_images.npy` + `{split}_labels.npy` in the root, its size.
 */
export async function inspectDataset(rootInput: string): Promise<DatasetSummary> {
  const root = path.resolve(rootInput);
  let entries;
  try {
    if (!(await stat(root)).isDirectory()) throw new Error('not a folder');
    entries = await readdir(root, { withFileTypes: true });
  } catch {
    throw new DataError('ROOT_MISSING', root, 'dataset root does not exist or is not a folder');
  }
  const classIds = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  let objects = 0;
  let firstObject: string | undefined;
  for (const id of classIds) {
    const inner = (await readdir(path.join(root, id), { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    objects += inner.length;
    if (!firstObject && inner[0]) firstObject = path.join(root, id, inner[0]);
  }
  let views = 0;
  let resolution: DatasetSummary['resolution'] = null;
  if (firstObject) {
    const names = new Set(await readdir(firstObject));
    while (names.has(`image_${views}.jpg`)) views++;
    if (views > 0) {
      const file = path.join(firstObject, 'image_0.jpg');
      try {
        const meta = await sharp(file).metadata();
        resolution = { width: meta.width ?? 0, height: meta.height ?? 0 };
      } catch (error) {
        throw new DataError('IMAGE_UNREADABLE', file, `cannot read image header: ${(error as Error).message}`);
      }
    }
  }
  const splits: DatasetSummary['splits'] = {};
  for (const e of entries) {
    const match = /^(.+)_images\.npy$/.exec(e.name);
    if (!e.isFile() || !match) continue;
    const split = match[1] as string;
    const images = await readNpy(path.join(root, e.name));
    const labelsFile = path.join(root, `${split}_labels.npy`);
    let classes = 0;
    try {
      classes = new Set(npyToNumbers(await readNpy(labelsFile), labelsFile)).size;
    } catch (error) {
      if (!(error instanceof DataError && error.code === 'FILE_MISSING')) throw error;
    }
    splits[split] = { objects: images.shape[0] ?? 0, classes };
  }
  return { root, classes: classIds.length, classIds, objects, views, resolution, splits };
}

export function formatDatasetSummary(s: DatasetSummary): string {
  const lines = [
    `root        ${s.root}`,
    `classes     ${s.classes}${s.classIds.length > 0 ? ` (${s.classIds.slice(0, 4).join(', ')}${s.classIds.length > 4 ? ', …' : ''})` : ''}`,
    `objects     ${s.objects}`,
    `views       ${s.views} per object`,
    `resolution  ${s.resolution ? `${s.resolution.width}×${s.resolution.height}` : 'unknown'}`,
  ];
  for (const [name, split] of Object.entries(s.splits)) lines.push(`split ${name.padEnd(6)}${split.objects} objects, ${split.classes} classes`);
  return lines.join('\n');
}
