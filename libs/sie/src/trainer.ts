import type { BackendName, DeviceInfo } from '@equilab/contracts';
import { selectBackend, type SelectBackendOptions } from './backend/select-backend';
import { evaluate, type EvaluateOptions, type EvaluateResult } from './offline-evaluation/evaluate';
import { train, type TrainOptions } from './train/train';
import type { TrainResult } from './train/train.types';

/**
 * What a process that trains needs from the ML core: initialise a backend (and describe the device), pretrain,
 * evaluate. The runner's training child is written against this interface; `sieTrainer` is the implementation
 * (the runner's tests substitute a stand-in that implements the same interface).
 */
export interface Trainer {
  selectBackend(backend: BackendName, options?: SelectBackendOptions): Promise<DeviceInfo>;
  train(options: TrainOptions): Promise<TrainResult>;
  evaluate(options: EvaluateOptions): Promise<EvaluateResult>;
}

export const sieTrainer: Trainer = { selectBackend, train, evaluate };
