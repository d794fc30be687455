export * from './prng';
export * from './derive-seed';
