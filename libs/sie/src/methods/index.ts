export * from './method.context';
export * from './sie.objective';
export * from './vicreg.objective';
export * from './simclr.objective';
export * from './method.registry';
