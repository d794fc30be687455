export * from './mse.loss';
export * from './vicreg.loss';
export * from './info-nce.loss';
