export * from './adam.optimizer';
export * from './checkpoint.store';
export * from './safetensors.format';
export * from './train.types';
export * from './training.loop';
export * from './pair-loader.source';
export * from './train';
