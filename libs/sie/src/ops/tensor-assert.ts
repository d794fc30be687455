import { Prng } from '@equilab/random';
import assert from 'node:assert/strict';

/** Max |a − b| must stay within `rel` × the largest |expected| entry (plus a tiny absolute floor). */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rel: number,
  what: string,
  absFloor = 1e-7,
): void {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} != ${expected.length}`);
  let scale = 0;
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    const a = actual[i] as number;
    scale = Math.max(scale, Math.abs(e));
    const d = Math.abs(a - e);
    if (!(d <= worst)) {
      worst = d;
      at = i;
    }
  }
  const tol = rel * scale + absFloor;
  assert.ok(
    worst <= tol,
    `${what}: max |diff| ${worst.toExponential(3)} at ${at} (got ${actual[at]}, want ${expected[at]}) > ${tol.toExponential(3)} (rel ${rel} of ${scale.toExponential(3)})`,
  );
}

/** Deterministic pseudo-random floats in [-1, 1) (the project's generator, @equilab/random). */
export function randomArray(n: number, seed: number): Float32Array {
  const prng = new Prng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = prng.nextUint32() / 2147483648 - 1;
  return out;
}
