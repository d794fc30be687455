export * from './retrieval.metrics';
export * from './view-latents.cache';
export * from './pretrained.loader';
export * from './equivariant.path';
export * from './probe.evaluation';
export * from './retrieval.evaluation';
export * from './evaluate';
