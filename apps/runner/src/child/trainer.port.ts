import type { DeviceInfo, MetricPoint, Progress } from '@equilab/contracts';

/**
 * What the training child needs from the trainer module (`@equilab/sie` in production, RUNNER_TRAINER_MODULE
 * in tests): `train(options)` as libs/sie `train/` defines it. Kept structural so the child loads the module
 * at run time and the runner does not depend on one trainer build.
 */
export interface CheckpointInfo {
  readonly step: number;
  readonly epoch?: number;
  /** A checkpoint file or folder (absolute or relative to outDir)… */
  readonly path?: string;
  /** …or its files. */
  readonly files?: readonly string[];
}

export interface TrainOptions {
  readonly method: string;
  readonly config: Record<string, unknown>;
  readonly dataRoot: string;
  readonly outDir: string;
  readonly backend: string;
  readonly seed: number;
  readonly workers: number;
  readonly metricsEvery: number;
  readonly metricsEverySeconds: number;
  readonly signal: AbortSignal;
  readonly resume: boolean;
  onMetrics(points: MetricPoint[]): void;
  onProgress(progress: Progress): void;
  /**
   * Resolves once the runner has stored the checkpoint (a trainer may await it; libs/sie does not, and
   * writes checkpoints by atomic rename so the runner's copy is never torn).
   */
  onCheckpoint(info: CheckpointInfo): Promise<void>;
}

/** What `train` resolves to (libs/sie `TrainResult`; older field names are accepted too). */
export type TrainResult = {
  /** `canceled`: stopped by the AbortSignal after writing a checkpoint. */
  readonly status?: 'completed' | 'canceled';
  readonly step?: number;
  /** Final backbone weights relative to outDir (empty when canceled). */
  readonly finalFiles?: readonly string[];
  readonly finalWeightsPath?: string;
} | void;

/**
 * Hook for the offline evaluations (linear probes, kNN, equivariance predictor): another engineer adds
 * `evaluate(options)` to libs/sie; the child calls it for jobs of the `evaluate` queue.
 */
export interface EvaluateOptions {
  readonly runId: string;
  readonly evaluationId: string;
  readonly kind: string;
  readonly config: Record<string, unknown>;
  readonly dataRoot: string;
  /** The run's work folder, holding its latest checkpoint / final weights from the artifact store. */
  readonly outDir: string;
  readonly backend: string;
  readonly seed: number;
  readonly workers: number;
  readonly signal: AbortSignal;
  onMetrics(points: MetricPoint[]): void;
  onProgress(progress: Progress): void;
}

/** libs/sie `EvaluateResult`: files relative to outDir (`evaluations/<evaluationId>/result.json`, …). */
export type EvaluateResult = {
  readonly status?: 'completed' | 'canceled';
  readonly files?: readonly string[];
} | void;

export interface TrainerModule {
  train?: (options: TrainOptions) => Promise<TrainResult>;
  evaluate?: (options: EvaluateOptions) => Promise<EvaluateResult>;
  /** Optional: initialise a TensorFlow.js backend and describe it (libs/sie `selectBackend`). */
  selectBackend?: (backend: string) => unknown;
}

export type { DeviceInfo };
