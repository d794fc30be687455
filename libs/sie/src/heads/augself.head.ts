import { SequentialHead, mlpSpecs } from './sequential.head';
import type { SeedStream } from './seed.stream';

/**
 * AugSelf head: on concat(h_x, h_y) (2D wide), Linear(2D→2D) → ReLU → Linear(2D→2D) → ReLU → Linear(2D→L), all with
 * bias; regresses the transformation latent (L = 4, or 6 for RotColor).
 */
export function createAugSelfHead(
  name: string,
  reprSize: number,
  latentDim: number,
  seeds: SeedStream,
): SequentialHead {
  const w = 2 * reprSize;
  return new SequentialHead(name, mlpSpecs([w, w, w, latentDim]), seeds);
}
