/**
 * Deterministic seeds for head initialisation (mulberry32 over a 32-bit state). Each layer takes two seeds
 * (weight and bias), so `next()` steps by 2 to keep them distinct.
 */
export class SeedStream {
  private state: number;

  constructor(seed: number) {
    this.state = (seed ^ 0x5eed5eed) >>> 0;
  }

  /** A positive 31-bit seed (tfjs random ops treat a falsy seed as "no seed"). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return 1 + (((t ^ (t >>> 14)) >>> 0) % 0x7ffffffd);
  }
}
