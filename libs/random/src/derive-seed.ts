/** murmur3's 32-bit finaliser. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Deterministic 32-bit seed derived from a list of non-negative integers (order matters): independent streams
 * from (seed, epoch, index, …) without drawing from a shared generator.
 */
export function deriveSeed(...values: readonly number[]): number {
  let h = 0x9e3779b9;
  for (const value of values) {
    h = fmix32((h ^ fmix32((value >>> 0) + 0x7f4a7c15)) + Math.floor(value / 4294967296));
  }
  return h;
}
