import { LATENT_SIZES, type LatentMode } from '@equilab/contracts';
import { relativeQuaternion } from './relative-rotation';

/** Indices of a 3DIEBench `latent_{v}.npy`: 0–2 Euler xyz, 3 floor hue, 4 spot θ, 5 spot φ, 6 spot hue. */
export const LATENT_FLOOR_HUE = 3;
export const LATENT_LIGHT_HUE = 6;
export const LATENT_DIM = 7;

/**
 * The transformation latent z between view 1 and view 2 (spec §1.3):
 * - `quat`: relative rotation quaternion (4);
 * - `rotcolor`: quat + Δfloor hue + Δlight hue (6), plain subtraction latent2 − latent1;
 * - `all`: quat + the differences of latents 3, 4, 5, 6 (8, as the reference `Dataset3DIEBenchAll`).
 */
export function transformationLatent(mode: LatentMode, latent1: ArrayLike<number>, latent2: ArrayLike<number>): number[] {
  const q = relativeQuaternion([latent1[0] ?? 0, latent1[1] ?? 0, latent1[2] ?? 0], [latent2[0] ?? 0, latent2[1] ?? 0, latent2[2] ?? 0]);
  // RotColor subtracts the float32-cast latents; All subtracts the float64 latents (reference behaviour).
  const diff32 = (i: number) => Math.fround(Math.fround(latent2[i] ?? 0) - Math.fround(latent1[i] ?? 0));
  const diff = (i: number) => (latent2[i] ?? 0) - (latent1[i] ?? 0);
  switch (mode) {
    case 'quat':
      return q;
    case 'rotcolor':
      return [...q, diff32(LATENT_FLOOR_HUE), diff32(LATENT_LIGHT_HUE)];
    case 'all':
      return [...q, diff(3), diff(4), diff(5), diff(6)];
  }
}

export function latentSize(mode: LatentMode): number {
  return LATENT_SIZES[mode];
}
