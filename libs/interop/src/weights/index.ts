export * from './reference-naming';
export * from './pickle.writer';
export * from './pickle.reader';
export * from './pth.format';
export * from './reference-weights';
export * from './reference-run';
export * from './initial-weights';
