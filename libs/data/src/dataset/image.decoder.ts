import sharp from 'sharp';
import { DataError } from '../data.error';

/** Normalisation of 3DIEBench (spec §1.3): per-channel mean and std of the [0, 1] RGB images. */
export const DIEBENCH_MEAN = [0.5016, 0.5037, 0.506] as const;
export const DIEBENCH_STD = [0.103, 0.0999, 0.0969] as const;

/**
 * Decode an image file, resize it to `resolution × resolution` (linear kernel, like torchvision's bilinear
 * Resize on downscaling), convert to RGB float32 in [0, 1] and normalise; writes HWC values into `out` at
 * `offset`. Throws a DataError(IMAGE_UNREADABLE) naming the file on a missing, corrupt or truncated image.
 */
export async function decodeImageInto(file: string, resolution: number, out: Float32Array, offset = 0): Promise<void> {
  let data: Buffer;
  let info: sharp.OutputInfo;
  try {
    ({ data, info } = await sharp(file, { failOn: 'truncated' })
      .removeAlpha()
      .toColourspace('srgb')
      .resize(resolution, resolution, { fit: 'fill', kernel: 'linear' })
      .raw()
      .toBuffer({ resolveWithObject: true }));
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new DataError('IMAGE_UNREADABLE', file, `cannot decode image: ${message}`);
  }
  if (info.channels !== 3 || info.width !== resolution || info.height !== resolution) {
    throw new DataError('IMAGE_UNREADABLE', file, `decoded to ${info.width}×${info.height}×${info.channels}, expected ${resolution}×${resolution}×3`);
  }
  normaliseInto(data, out, offset);
}

/** uint8 RGB(HWC) → (v/255 − mean[c]) / std[c]. */
export function normaliseInto(rgb: Uint8Array, out: Float32Array, offset = 0): void {
  const s0 = 1 / (255 * DIEBENCH_STD[0]), s1 = 1 / (255 * DIEBENCH_STD[1]), s2 = 1 / (255 * DIEBENCH_STD[2]);
  const m0 = DIEBENCH_MEAN[0] / DIEBENCH_STD[0], m1 = DIEBENCH_MEAN[1] / DIEBENCH_STD[1], m2 = DIEBENCH_MEAN[2] / DIEBENCH_STD[2];
  for (let i = 0; i < rgb.length; i += 3) {
    out[offset + i] = rgb[i]! * s0 - m0;
    out[offset + i + 1] = rgb[i + 1]! * s1 - m1;
    out[offset + i + 2] = rgb[i + 2]! * s2 - m2;
  }
}
