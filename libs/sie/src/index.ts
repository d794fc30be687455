export const SIE_PACKAGE = '@equilab/sie';
export * from './backend/select-backend';
export * from './ops/conv2d.op';
export * from './ops/batch-norm.op';
export * from './backbone/batch-norm.layer';
export * from './backbone/resnet18.backbone';
export * from './train';
export * from './evaluator';
