import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { DIEBENCH_MEAN, DIEBENCH_STD, decodeImageInto, normaliseInto } from '../dataset/image.decoder';
import { readNpy } from '../npy/npy.io';
import { runPilReference } from './pil-reference.runner';

/** Differences of one decoding path from the reference, over every value of every image compared. */
export interface FidelityFigures {
  /** |Equilab − torchvision| after Normalize (units of the normalised inputs the network sees). */
  normalisedMeanAbs: number;
  normalisedMaxAbs: number;
  /** |Equilab − PIL| of the resized 8-bit values (before ToTensor/Normalize). */
  levelsMeanAbs: number;
  levelsMax: number;
  /** Share of values that differ by at least one level. */
  levelsDifferentFraction: number;
}

type Decode = (file: string, resolution: number, out: Float32Array) => Promise<void>;

/** Paths compared with the reference: the two loader modes, and two libvips-only ones for context. */
const PATHS: Record<string, Decode> = {
  pil: (file, r, out) => decodeImageInto(file, r, out, 0, { mode: 'pil', fileSize: 256 }),
  fast: (file, r, out) => decodeImageInto(file, r, out, 0, { mode: 'fast', fileSize: 256 }),
  // The decoder before this change: sharp's resize with its own (halved) shrink-on-load, linear kernel.
  sharpResize: (file, r, out) => decodeImageInto(file, r, out, 0, { mode: 'fast' }),
  // libvips' linear kernel from the full-size decode (no DCT scaling at all).
  libvipsLinearFullDecode: async (file, r, out) => {
    const full = await sharp(file).raw().toBuffer({ resolveWithObject: true });
    const resized = await sharp(full.data, { raw: { width: full.info.width, height: full.info.height, channels: 3 } })
      .resize(r, r, { fit: 'fill', kernel: 'linear' })
      .raw()
      .toBuffer();
    normaliseInto(resized, out);
  },
};

function compare(equilab: Float32Array, reference: Float32Array, referenceLevels: Uint8Array): FidelityFigures {
  let sumNorm = 0, maxNorm = 0, sumLevels = 0, maxLevels = 0, different = 0;
  for (let i = 0; i < equilab.length; i++) {
    const c = i % 3;
    const x = equilab[i]!;
    const dn = Math.abs(x - reference[i]!);
    sumNorm += dn;
    if (dn > maxNorm) maxNorm = dn;
    const level = Math.round((x * DIEBENCH_STD[c as 0 | 1 | 2] + DIEBENCH_MEAN[c as 0 | 1 | 2]) * 255);
    const dl = Math.abs(level - referenceLevels[i]!);
    sumLevels += dl;
    if (dl > maxLevels) maxLevels = dl;
    if (dl > 0) different++;
  }
  const n = equilab.length;
  return {
    normalisedMeanAbs: Number((sumNorm / n).toExponential(3)),
    normalisedMaxAbs: Number(maxNorm.toExponential(3)),
    levelsMeanAbs: Number((sumLevels / n).toFixed(4)),
    levelsMax: maxLevels,
    levelsDifferentFraction: Number((different / n).toFixed(4)),
  };
}

/**
 * Decode `files` (256 px JPEGs) at each resolution with every path and compare with `pil_reference.py dump`'s
 * output (torchvision's normalised tensors and PIL's 8-bit images).
 */
export async function measureFidelity(python: string, files: readonly string[], resolutions: readonly number[]): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'equilab-fidelity-'));
  const result: Record<string, unknown> = { images: files.length };
  try {
    for (const r of resolutions) {
      const prefix = path.join(dir, `ref${r}`);
      const dumped = runPilReference(python, ['dump', String(r), prefix], files);
      result.reference = `Pillow ${String(dumped.pillow)}, normalised by ${String(dumped.normalisedBy)}`;
      const reference = (await readNpy(`${prefix}.float32.npy`)).data as Float32Array;
      const levels = (await readNpy(`${prefix}.uint8.npy`)).data as Uint8Array;
      const size = r * r * 3;
      const row: Record<string, FidelityFigures> = {};
      for (const [name, decode] of Object.entries(PATHS)) {
        const equilab = new Float32Array(files.length * size);
        for (let i = 0; i < files.length; i++) {
          const one = new Float32Array(size);
          await decode(files[i]!, r, one);
          equilab.set(one, i * size);
        }
        row[name] = compare(equilab, reference, levels);
      }
      result[`256to${r}px`] = row;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return result;
}
