export * from './method.context';
export * from './method.heads';
export * from './sie.method';
export * from './vicreg.method';
export * from './simclr.method';
export * from './method.registry';
