export * from './r2.metric';
export * from './topk.metric';
export * from './representation-stats.metric';
