import type { Artifact, MetricPoint, Progress } from '@equilab/contracts';

/** One batch of view pairs, as the trainer consumes it. */
export interface TrainBatch {
  /** Number of pairs. */
  readonly size: number;
  /** Square image side. */
  readonly resolution: number;
  /** Views 1 and 2, NHWC float32 (size × resolution × resolution × 3), already normalised. */
  readonly x1: Float32Array;
  readonly x2: Float32Array;
  /** Transformation latents, size × latentDim, row-major. */
  readonly latents: Float32Array;
  readonly latentDim: number;
  /** Class labels, one per pair. */
  readonly labels: ArrayLike<number>;
}

/** Batches of an epoch in a reproducible order: the same (epoch, startStep) always yields the same batches. */
export interface BatchSource {
  readonly stepsPerEpoch: number;
  readonly numClasses: number;
  /** Batches `startStep`, `startStep + 1`, … of epoch `epoch`. */
  batches(epoch: number, startStep: number): AsyncIterable<TrainBatch>;
  close(): Promise<void>;
}

/** Sent after every checkpoint written (epoch end, on request, at cancellation). Plain data. */
export interface CheckpointInfo {
  /** Global index of the next step to train (= number of steps done). */
  readonly step: number;
  /** Epoch of the next step. */
  readonly epoch: number;
  /** Files of the checkpoint, relative to outDir (POSIX separators). */
  readonly files: string[];
  readonly artifact: Artifact;
  readonly reason: 'epoch-end' | 'requested' | 'canceled';
}

export interface TrainResult {
  /** `canceled`: stopped by the AbortSignal after writing a checkpoint. */
  readonly status: 'completed' | 'canceled';
  /** Steps done (global). */
  readonly step: number;
  readonly epoch: number;
  /** Final backbone weights relative to outDir (empty when canceled). */
  readonly finalFiles: string[];
  readonly finalWeights: Artifact | null;
}

export interface TrainCallbacks {
  readonly onMetrics?: (points: MetricPoint[]) => void;
  readonly onProgress?: (progress: Progress) => void;
  /** May return a promise (e.g. the runner storing the files); the trainer does not wait for it. */
  readonly onCheckpoint?: (info: CheckpointInfo) => void | Promise<void>;
}

/** Asks a running `train()` for a checkpoint at the next step boundary (e.g. on an IPC request). */
export class TrainController {
  private requested = false;

  requestCheckpoint(): void {
    this.requested = true;
  }

  /** @internal consumed by the trainer. */
  takeRequest(): boolean {
    const requested = this.requested;
    this.requested = false;
    return requested;
  }
}
