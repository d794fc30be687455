export * from './env';
export * from './training';
export * from './jobs';
export * from './data';
export * from './api';
export * from './metrics';
export * from './runner-api';
export * from './socket';
