export const DATA_PACKAGE = '@equilab/data';
export * from './data.error';
export * from './random/prng';
export * from './npy/npy.format';
export * from './npy/npy.io';
export * from './rotation/relative-rotation';
export * from './rotation/transformation-latent';
