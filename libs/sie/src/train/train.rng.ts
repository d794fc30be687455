/**
 * The trainer's random stream (seeds for head initialisation and for anything else the loop draws): a
 * mulberry32 generator whose whole state is one uint32, so it is saved in a checkpoint and restored exactly.
 */
export class TrainRng {
  private value: number;

  constructor(seed: number) {
    this.value = seed >>> 0;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    this.value = (this.value + 0x6d2b79f5) >>> 0;
    let t = this.value;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A fresh 31-bit seed (for `tf.random*` ops and child generators). */
  nextSeed(): number {
    // Never 0: tfjs random ops treat a falsy seed as "no seed".
    return 1 + Math.floor(this.next() * 0x7ffffffe);
  }

  get state(): number {
    return this.value;
  }

  set state(value: number) {
    this.value = value >>> 0;
  }
}
