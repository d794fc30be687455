export * from './env';
export * from './training';
export * from './jobs';
