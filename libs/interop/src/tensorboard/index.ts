export * from './tfrecord.format';
export * from './event.schema';
export * from './event-file.reader';
export * from './event-file.writer';
export * from './event-run.reader';
export * from './log-dir.scan';
export * from './metric-points';
