export * from './tensorboard';
export * from './weights';
