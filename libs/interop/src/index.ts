export * from './tensorboard';
