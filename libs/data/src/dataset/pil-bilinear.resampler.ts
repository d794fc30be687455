/**
 * Pillow's bilinear resampling (`Image.resize(size, Image.BILINEAR)`, which torchvision's `Resize` calls on PIL
 * images), value for value: a separable triangle filter whose support grows with the downscaling factor
 * (antialiasing), coefficients normalised per output pixel and rounded to 22-bit fixed point, a horizontal
 * pass into an 8-bit intermediate image (only the rows the vertical pass reads), then a vertical pass, each
 * rounded and clipped to 0..255. No npm library reproduces Pillow's fixed-point arithmetic, and libvips' linear
 * reduce weights pixels differently (see libs/data/README.md for the measured difference), hence this file.
 */

const PRECISION_BITS = 32 - 8 - 2;
const HALF = 1 << (PRECISION_BITS - 1);

/** Per output pixel: first input index, tap count, and `ksize` fixed-point weights. */
export interface ResampleAxis {
  readonly outSize: number;
  readonly ksize: number;
  readonly first: Int32Array;
  readonly count: Int32Array;
  readonly weights: Int32Array;
}

/** Coefficients of one axis, as Pillow's `precompute_coeffs` + `normalize_coeffs_8bpc` compute them. */
export function bilinearAxis(inSize: number, outSize: number): ResampleAxis {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale; // the bilinear filter's support (1.0) × filterScale
  const ss = 1 / filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * ksize);
  const taps = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const xmax = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let sum = 0;
    for (let x = 0; x < xmax; x++) {
      const d = Math.abs((x + xmin - center + 0.5) * ss);
      const w = d < 1 ? 1 - d : 0;
      taps[x] = w;
      sum += w;
    }
    for (let x = 0; x < xmax; x++) {
      const w = sum !== 0 ? taps[x]! / sum : taps[x]!;
      weights[xx * ksize + x] = Math.trunc(0.5 + w * (1 << PRECISION_BITS)); // weights are ≥ 0
    }
    first[xx] = xmin;
    count[xx] = xmax;
  }
  return { outSize, ksize, first, count, weights };
}

/** Round a fixed-point sum (HALF already added) to 0..255, as Pillow's `clip8`. */
function clip8(sum: number): number {
  const v = sum >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

const axes = new Map<string, ResampleAxis>();

function cachedAxis(inSize: number, outSize: number): ResampleAxis {
  const key = `${inSize}>${outSize}`;
  let axis = axes.get(key);
  if (!axis) {
    axis = bilinearAxis(inSize, outSize);
    axes.set(key, axis);
  }
  return axis;
}

/**
 * Resample packed RGB `src` (inWidth × inHeight) to outWidth × outHeight as Pillow does and hand every output
 * value (0..255) to `lut`: `out[offset + i] = lut[channel][value]`, so normalisation happens in the same pass.
 */
export function resampleBilinearInto(
  src: Uint8Array,
  inWidth: number,
  inHeight: number,
  outWidth: number,
  outHeight: number,
  lut: readonly [Float32Array, Float32Array, Float32Array],
  out: Float32Array,
  offset: number,
): void {
  const [l0, l1, l2] = lut;
  const vertical = cachedAxis(inHeight, outHeight);
  const rowFirst = vertical.first[0]!;
  const rowEnd = vertical.first[outHeight - 1]! + vertical.count[outHeight - 1]!;
  const needHorizontal = outWidth !== inWidth;
  const needVertical = outHeight !== inHeight;
  // Horizontal pass over the rows the vertical pass reads, into an 8-bit image of outWidth columns.
  let mid = src;
  let midFirst = 0;
  if (needHorizontal) {
    const horizontal = cachedAxis(inWidth, outWidth);
    const { ksize, first, count, weights } = horizontal;
    mid = new Uint8Array((rowEnd - rowFirst) * outWidth * 3);
    midFirst = rowFirst;
    for (let y = rowFirst; y < rowEnd; y++) {
      const row = y * inWidth * 3;
      let o = (y - rowFirst) * outWidth * 3;
      for (let xx = 0; xx < outWidth; xx++) {
        const k = xx * ksize;
        let p = row + first[xx]! * 3;
        let s0 = HALF, s1 = HALF, s2 = HALF;
        // int32 arithmetic is exact: 255 × Σweights (≈ 2²²) + 2²¹ < 2³¹.
        for (let x = k, end = k + count[xx]!; x < end; x++, p += 3) {
          const w = weights[x]!;
          s0 = (s0 + Math.imul(src[p]!, w)) | 0;
          s1 = (s1 + Math.imul(src[p + 1]!, w)) | 0;
          s2 = (s2 + Math.imul(src[p + 2]!, w)) | 0;
        }
        mid[o++] = clip8(s0);
        mid[o++] = clip8(s1);
        mid[o++] = clip8(s2);
      }
    }
  }
  const stride = outWidth * 3;
  if (!needVertical) {
    for (let i = 0, n = outHeight * stride; i < n; i += 3) {
      out[offset + i] = l0[mid[i]!]!;
      out[offset + i + 1] = l1[mid[i + 1]!]!;
      out[offset + i + 2] = l2[mid[i + 2]!]!;
    }
    return;
  }
  const { ksize, first, count, weights } = vertical;
  for (let yy = 0; yy < outHeight; yy++) {
    const k = yy * ksize;
    const top = (first[yy]! - midFirst) * stride;
    const n = count[yy]!;
    let o = offset + yy * stride;
    for (let c = 0; c < stride; c += 3) {
      let s0 = HALF, s1 = HALF, s2 = HALF;
      for (let y = k, end = k + n, p = top + c; y < end; y++, p += stride) {
        const w = weights[y]!;
        s0 = (s0 + Math.imul(mid[p]!, w)) | 0;
        s1 = (s1 + Math.imul(mid[p + 1]!, w)) | 0;
        s2 = (s2 + Math.imul(mid[p + 2]!, w)) | 0;
      }
      out[o++] = l0[clip8(s0)]!;
      out[o++] = l1[clip8(s1)]!;
      out[o++] = l2[clip8(s2)]!;
    }
  }
}
