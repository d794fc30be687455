import { Prng } from '@equilab/random';

/**
 * Deterministic seeds for head initialisation, drawn from the project's generator (@equilab/random) started at
 * `seed ^ 0x5eed5eed`. Each layer takes two seeds (weight and bias).
 */
export class SeedStream {
  private readonly prng: Prng;

  constructor(seed: number) {
    this.prng = new Prng(seed ^ 0x5eed5eed);
  }

  /** A positive 31-bit seed (tfjs random ops treat a falsy seed as "no seed"). */
  next(): number {
    return 1 + (this.prng.nextUint32() % 0x7ffffffd);
  }
}
