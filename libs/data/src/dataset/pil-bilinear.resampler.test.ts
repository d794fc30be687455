import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { bilinearAxis, resampleBilinearInto } from './pil-bilinear.resampler';

/** A deterministic RGB test card (the same formula made Pillow's expected outputs below). */
function pattern(width: number, height: number): Uint8Array {
  const a = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) for (let c = 0; c < 3; c++) a[(y * width + x) * 3 + c] = (x * 37 + y * 91 + c * 53 + x * y * 7) % 256;
  }
  return a;
}

const identity = Float32Array.from({ length: 256 }, (_, v) => v);
const IDENTITY_LUT = [identity, identity, identity] as const;

function resample(width: number, height: number, outWidth: number, outHeight: number): Uint8Array {
  const out = new Float32Array(outWidth * outHeight * 3);
  resampleBilinearInto(pattern(width, height), width, height, outWidth, outHeight, IDENTITY_LUT, out, 0);
  return Uint8Array.from(out);
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * `numpy.asarray(Image.fromarray(pattern(w, h)).resize((ow, oh), Image.BILINEAR))` with Pillow 9.4.0 (Debian 12),
 * recorded once; the test needs no Python.
 */
const PILLOW_12x10_TO_5x4 = [
  106, 132, 142, 124, 130, 144, 126, 130, 134, 116, 130, 136, 118, 128, 127, 121, 136, 127, 140, 139, 128, 142, 134, 125, 127, 127, 125, 139, 130, 133,
  117, 138, 132, 120, 129, 121, 145, 129, 125, 125, 130, 114, 141, 111, 125, 135, 108, 124, 148, 124, 140, 114, 131, 132, 128, 139, 128, 123, 113, 145,
];
const PILLOW_SHA256: readonly (readonly [number, number, number, number, string])[] = [
  [4, 3, 9, 7, '7ea946c3d3e925727433fa039fd322e70f789e9ee0a4fa5b2b802a26c48f7d53'], // upscaling
  [256, 256, 128, 128, 'c08326b7acb6105aabd64cf9d4a135febb4252b5204a7060219cde529bfccc3d'],
  [256, 256, 64, 64, 'e5de64d35fafbf8bcb33959a1f1b7e5f468f0b2c80997110da5af2743fa9a2e7'],
  [256, 256, 96, 96, '1be7bd0bac22053fd0e19603b8304b47703d885ac970bba0b0df29941426f465'], // non-integer factor
];

void test("Pillow's bilinear resize, value for value (downscaling on both axes by different factors)", () => {
  assert.deepEqual(Array.from(resample(12, 10, 5, 4)), PILLOW_12x10_TO_5x4);
});

void test("Pillow's bilinear resize, value for value: upscaling, 2× and 4× and non-integer downscaling", () => {
  for (const [w, h, ow, oh, expected] of PILLOW_SHA256) assert.equal(sha256(resample(w, h, ow, oh)), expected, `${w}×${h} → ${ow}×${oh}`);
});

void test('the same size is a copy; the lookup table normalises in the same pass; the offset places the image', () => {
  const src = pattern(6, 6);
  const doubled = Float32Array.from({ length: 256 }, (_, v) => 2 * v);
  const out = new Float32Array(10 + src.length);
  resampleBilinearInto(src, 6, 6, 6, 6, [doubled, identity, identity], out, 10);
  assert.deepEqual(Array.from(out.subarray(0, 10)), new Array<number>(10).fill(0));
  assert.deepEqual(Array.from(out.subarray(10)), Array.from(src, (v, i) => (i % 3 === 0 ? 2 * v : v)));
});

void test('axis coefficients: every output pixel sums to one (in 22-bit fixed point) over taps inside the input', () => {
  for (const [n, m] of [[256, 128], [256, 96], [5, 12], [10, 4]] as const) {
    const axis = bilinearAxis(n, m);
    for (let i = 0; i < m; i++) {
      const first = axis.first[i]!;
      const count = axis.count[i]!;
      assert.ok(first >= 0 && first + count <= n && count >= 1);
      let sum = 0;
      for (let k = 0; k < count; k++) sum += axis.weights[i * axis.ksize + k]!;
      assert.ok(Math.abs(sum - 2 ** 22) <= count, `${n}→${m} pixel ${i}: ${sum}`);
    }
  }
});
