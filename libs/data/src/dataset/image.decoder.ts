import type { ResizeMode } from '@equilab/contracts';
import sharp from 'sharp';
import { DataError } from '../data.error';
import { resampleBilinearInto } from './pil-bilinear.resampler';

/** Normalisation of 3DIEBench (spec §1.3): per-channel mean and std of the [0, 1] RGB images. */
export const DIEBENCH_MEAN = [0.5016, 0.5037, 0.506] as const;
export const DIEBENCH_STD = [0.103, 0.0999, 0.0969] as const;

/** `NORMALISE_LUT[c][v]` = float32 of (v/255 − mean[c]) / std[c], computed as v·1/(255·std) − mean/std. */
export const NORMALISE_LUT: readonly [Float32Array, Float32Array, Float32Array] = [0, 1, 2].map((c) => {
  const scale = 1 / (255 * DIEBENCH_STD[c as 0 | 1 | 2]);
  const shift = DIEBENCH_MEAN[c as 0 | 1 | 2] / DIEBENCH_STD[c as 0 | 1 | 2];
  return Float32Array.from({ length: 256 }, (_, v) => v * scale - shift);
}) as unknown as [Float32Array, Float32Array, Float32Array];

/** uint8 RGB(HWC) → (v/255 − mean[c]) / std[c], written into `out` at `offset`. */
export function normaliseInto(rgb: Uint8Array, out: Float32Array, offset = 0): void {
  const [l0, l1, l2] = NORMALISE_LUT;
  for (let i = 0; i < rgb.length; i += 3) {
    out[offset + i] = l0[rgb[i]!]!;
    out[offset + i + 1] = l1[rgb[i + 1]!]!;
    out[offset + i + 2] = l2[rgb[i + 2]!]!;
  }
}

/** How one image is read: libjpeg's DCT scaling factor and what resizes the rest. */
export interface DecodePlan {
  /** 1, 2, 4 or 8: the JPEG is decoded at ⌈size / shrink⌉ (libjpeg's scaled IDCT, libvips `shrink`). */
  shrink: number;
  /** `none`: decoded at the target size; `libvips`: linear kernel in the same pipeline; `pil`: Pillow's bilinear. */
  resize: 'none' | 'libvips' | 'pil';
}

/**
 * The plan for a `width × height` file loaded at `resolution²`. Same size: decoded as is, in both modes. `pil`:
 * full decode, then Pillow's bilinear (as the reference's torchvision `Resize` on PIL images). `fast`: the largest
 * DCT scaling 1/2, 1/4 or 1/8 that keeps both sides ≥ the target (straight to the target for 2ⁿ-fold
 * downscaling, e.g. 256 → 128 / 64 / 32), then libvips' linear kernel for what is left.
 */
export function decodePlan(width: number, height: number, resolution: number, mode: ResizeMode): DecodePlan {
  if (width === resolution && height === resolution) return { shrink: 1, resize: 'none' };
  if (mode === 'pil') return { shrink: 1, resize: 'pil' };
  let shrink = 1;
  for (const s of [8, 4, 2]) {
    if (Math.ceil(width / s) >= resolution && Math.ceil(height / s) >= resolution) {
      shrink = s;
      break;
    }
  }
  const exact = Math.ceil(width / shrink) === resolution && Math.ceil(height / shrink) === resolution;
  return { shrink, resize: exact ? 'none' : 'libvips' };
}

export interface DecodeOptions {
  /** `pil` (default): Pillow-faithful resize; `fast`: shrink-on-load + libvips. Same output when no resize is needed. */
  mode?: ResizeMode;
  /** Side of the files, when known (the dataset probes its first image): lets `fast` shrink on load. */
  fileSize?: number;
}

function unreadable(file: string, error: unknown): DataError {
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return new DataError('IMAGE_UNREADABLE', file, `cannot decode image: ${message}`);
}

async function rawRgb(input: string, file: string, resize?: number): Promise<{ data: Buffer; info: sharp.OutputInfo }> {
  try {
    let pipeline = sharp(input, { failOn: 'truncated' }).removeAlpha().toColourspace('srgb');
    if (resize !== undefined) pipeline = pipeline.resize(resize, resize, { fit: 'fill', kernel: 'linear' });
    return await pipeline.raw().toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw unreadable(file, error);
  }
}

/**
 * Decode an image file to `resolution × resolution` RGB, normalise it and write the HWC float32 values into `out`
 * at `offset`: one libvips pipeline (decode, DCT-scaled in `fast` mode, the resize when libvips does it) into a
 * uint8 buffer, then one pass that resizes Pillow's way (`pil`) and/or normalises into `out`. Throws a
 * DataError(IMAGE_UNREADABLE) naming the file on a missing, corrupt or truncated image.
 */
export async function decodeImageInto(file: string, resolution: number, out: Float32Array, offset = 0, options: DecodeOptions = {}): Promise<void> {
  const mode = options.mode ?? 'pil';
  const plan: DecodePlan =
    options.fileSize !== undefined
      ? decodePlan(options.fileSize, options.fileSize, resolution, mode)
      : { shrink: 1, resize: mode === 'pil' ? 'pil' : 'libvips' };
  // libvips reads load options from a `[name=value]` suffix of the file name: that is how `shrink` reaches jpegload.
  const input = plan.shrink > 1 ? `${file}[shrink=${plan.shrink}]` : file;
  let { data, info } = await rawRgb(input, file, plan.resize === 'libvips' ? resolution : undefined);
  if (info.channels === 3 && (info.width !== resolution || info.height !== resolution)) {
    if (mode === 'pil') {
      resampleBilinearInto(data, info.width, info.height, resolution, resolution, NORMALISE_LUT, out, offset);
      return;
    }
    // `fast`, and the file is not of the probed size: sharp's own resize (its shrink-on-load, then linear).
    ({ data, info } = await rawRgb(file, file, resolution));
  }
  if (info.channels !== 3 || info.width !== resolution || info.height !== resolution) {
    throw new DataError('IMAGE_UNREADABLE', file, `decoded to ${info.width}×${info.height}×${info.channels}, expected ${resolution}×${resolution}×3`);
  }
  normaliseInto(data, out, offset);
}
