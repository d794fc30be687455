export * from './online.evaluator';
