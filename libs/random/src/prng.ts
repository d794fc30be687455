/**
 * The project's one seedable generator: mulberry32 (Tommy Ettinger's 32-bit generator, public domain). Its whole
 * state is one uint32 (`state`), so a checkpoint can store and restore it exactly.
 *
 * Written here rather than imported: it is ten lines, no well-kept npm package implements exactly this
 * generator, and its exact output is pinned — dataset bytes (libs/data), view sampling and head
 * initialisation (libs/sie), sweep sampling all depend on it bit for bit.
 */
export class Prng {
  private value: number;

  constructor(seed: number) {
    this.value = seed >>> 0;
  }

  /** The generator's state (a uint32): reading it and assigning it back resumes the same sequence. */
  get state(): number {
    return this.value;
  }

  set state(value: number) {
    this.value = value >>> 0;
  }

  /** Next raw output, an unsigned 32-bit integer. */
  nextUint32(): number {
    this.value = (this.value + 0x6d2b79f5) >>> 0;
    let t = this.value;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform float in [0, 1): nextUint32() / 2³². */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Unsigned 32-bit integer (the same value as nextUint32()). */
  uint32(): number {
    return Math.floor(this.next() * 4294967296) >>> 0;
  }

  /**
   * A seed in [1, 2³¹ − 2] for TensorFlow.js random ops and child generators: never 0, because tfjs treats a
   * falsy seed as "no seed".
   */
  nextSeed(): number {
    return 1 + Math.floor(this.next() * 0x7ffffffe);
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new RangeError('pick from an empty list');
    return item;
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }

  /** Two distinct integers of [0, n), uniformly (sampling without replacement). */
  distinctPair(n: number): [number, number] {
    const a = this.int(n);
    let b = this.int(n - 1);
    if (b >= a) b += 1;
    return [a, b];
  }
}

/** A function returning uniform floats in [0, 1) from `seed` (Prng.next as a closure, e.g. for sweep sampling). */
export function mulberry32(seed: number): () => number {
  const prng = new Prng(seed);
  return () => prng.next();
}
