export * from './common.api';
export * from './health.api';
export * from './projects.api';
export * from './runs.api';
export * from './sweeps.api';
export * from './queue.api';
export * from './runner.api';
export * from './interop.api';
