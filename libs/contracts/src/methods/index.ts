export * from './method-names';
export * from './mlp-spec';
export * from './method-options.schema';
export * from './method-catalogue';
export * from './method-config.schemas';
export * from './method-config.parse';
export * from './method-run';
