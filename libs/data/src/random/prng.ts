/** The generator and seed mixer of the dataset format live in @equilab/random (one implementation project-wide). */
export { Prng, deriveSeed } from '@equilab/random';
