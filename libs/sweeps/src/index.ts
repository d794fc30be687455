export * from './sweep-error';
export * from './config-path';
export * from './searchers';
export * from './expand-sweep';
