import * as tf from '@tensorflow/tfjs-core';
import '../backend/register-gradients';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { lossTermTags, systemMetricKeys, type Artifact, type LogEvery, type MetricPoint } from '@equilab/contracts';
import type { Backbone, LossTerm, MethodModel, NamedVariable } from '../types';
import type { OnlineEvaluator } from '../online-evaluation/online.evaluator';
import { meanNormalizedStd as stdStat, meanOffDiagonalCorrelation as correlationStat } from '../metrics/representation-stats.metric';
import { AdamOptimizer } from './adam.optimizer';
import {
  CHECKPOINT_FILE,
  FINAL_WEIGHTS_FILE,
  loadCheckpoint,
  saveCheckpoint,
  saveFinalWeights,
  type CheckpointState,
  type VariableGroup,
} from './checkpoint.store';
import type { Prng } from '@equilab/random';
import type { BatchSource, CheckpointInfo, TrainBatch, TrainCallbacks, TrainController, TrainResult } from './train.types';

export interface TrainingLoopOptions extends TrainCallbacks {
  readonly method: string;
  /** The resolved config, stored in checkpoints. */
  readonly config: Record<string, unknown>;
  readonly seed: number;
  readonly workers: number;
  readonly epochs: number;
  readonly lr: number;
  readonly weightDecay: number;
  readonly outDir: string;
  /** Load `outDir/checkpoint.safetensors` before training. */
  readonly resume: boolean;
  /** Metrics when the global step is a multiple of `steps` (0: never by count) and at least every `seconds` (0: every step). */
  readonly logEvery: LogEvery;
  readonly signal?: AbortSignal;
  readonly controller?: TrainController;
  /** Loss terms to log (the method catalogue's `loggedTerms`); default: every term the objective returns. */
  readonly loggedTerms?: readonly string[];
}

export interface TrainingComponents {
  readonly backbone: Backbone;
  readonly model: MethodModel;
  readonly evaluator: OnlineEvaluator;
  readonly source: BatchSource;
  /** The trainer's random stream; its state is saved in every checkpoint. */
  readonly rng: Prng;
}

function prefixed(prefix: string, variables: readonly NamedVariable[]): NamedVariable[] {
  return variables.map(({ name, variable }) => ({ name: `${prefix}.${name}`, variable }));
}

/** SHA-256 of a file, read in chunks (checkpoints of full-width models are hundreds of MB). */
function sha256(file: string): string {
  const hash = createHash('sha256');
  const buffer = Buffer.alloc(16 << 20);
  const fd = openSync(file, 'r');
  try {
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      hash.update(buffer.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

function artifactOf(outDir: string, file: string, kind: Artifact['kind'], step: number | null): Artifact {
  const full = path.join(outDir, file);
  return { kind, path: file, size: statSync(full).size, sha256: sha256(full), step };
}

interface StepTensors {
  hx: tf.Tensor2D;
  hy: tf.Tensor2D;
  embX: tf.Tensor2D;
  embY: tf.Tensor2D;
  prediction?: tf.Tensor2D;
  terms: Partial<Record<LossTerm, tf.Scalar>>;
}

/**
 * The training loop: Adam (coupled weight decay, constant lr) on backbone + method heads + online evaluator;
 * one step = both views through the backbone (two forward calls: batch statistics per view), the method
 * objective, the evaluator's loss on detached features; checkpoints at every epoch end, on request and at
 * cancellation; exact resume from the step stored in the checkpoint.
 */
export class TrainingLoop {
  private readonly optimizer: AdamOptimizer;
  private readonly groups: VariableGroup[];
  private readonly sslVariables: tf.Variable[];
  private readonly evaluatorVariables: tf.Variable[];
  private epoch = 0;
  private stepInEpoch = 0;
  private elapsedBefore = 0;
  private startedAt = Date.now();
  private lastMetricsAt = 0;
  private lastProgressAt = 0;
  private rateSteps = 0;
  private rateImages = 0;
  private imagesPerSecond = 0;
  private rateSince = Date.now();
  private stepsPerSecond = 0;
  /** Wall time spent awaiting the next batch since the last metrics (the data-loader wait fraction's numerator). */
  private waitMs = 0;

  constructor(
    private readonly parts: TrainingComponents,
    private readonly options: TrainingLoopOptions,
  ) {
    const { backbone, model, evaluator } = parts;
    this.groups = [
      { prefix: 'backbone', variables: [...backbone.parameters(), ...backbone.buffers()] },
      { prefix: 'method', variables: [...model.parameters(), ...model.buffers()] },
      { prefix: 'evaluator', variables: [...evaluator.parameters(), ...evaluator.probeParameters(), ...evaluator.buffers()] },
    ];
    const trainable = [
      ...prefixed('backbone', backbone.parameters()),
      ...prefixed('method', model.parameters()),
      ...prefixed('evaluator', evaluator.parameters()),
    ];
    // The part probes (`extra/…`) are not the reference's: their own Adam at the same lr, without weight decay.
    this.optimizer = new AdamOptimizer(trainable, { lr: options.lr, weightDecay: options.weightDecay }, [
      { params: prefixed('evaluator', evaluator.probeParameters()), weightDecay: 0 },
    ]);
    this.sslVariables = [...backbone.parameters(), ...model.parameters()].map((p) => p.variable);
    this.evaluatorVariables = [...evaluator.parameters(), ...evaluator.probeParameters()].map((p) => p.variable);
  }

  private get stepsPerEpoch(): number {
    return this.parts.source.stepsPerEpoch;
  }

  private get globalStep(): number {
    return this.epoch * this.stepsPerEpoch + this.stepInEpoch;
  }

  private get totalSteps(): number {
    return this.options.epochs * this.stepsPerEpoch;
  }

  private elapsedSeconds(): number {
    return this.elapsedBefore + (Date.now() - this.startedAt) / 1000;
  }

  /** Restores weights, optimizer, position and RNG from `outDir/checkpoint.safetensors`. */
  restore(): CheckpointState {
    const state = loadCheckpoint(path.join(this.options.outDir, CHECKPOINT_FILE), this.groups, this.optimizer);
    if (state.stepsPerEpoch !== this.stepsPerEpoch) {
      throw new Error(`checkpoint: ${state.stepsPerEpoch} steps per epoch, the data now gives ${this.stepsPerEpoch} (dataset or batch size changed)`);
    }
    this.epoch = state.epoch;
    this.stepInEpoch = state.stepInEpoch;
    this.elapsedBefore = state.elapsedSeconds;
    this.parts.rng.state = state.rngState;
    return state;
  }

  private checkpoint(reason: CheckpointInfo['reason']): void {
    const { options } = this;
    saveCheckpoint(path.join(options.outDir, CHECKPOINT_FILE), this.groups, this.optimizer, {
      method: options.method,
      config: options.config,
      seed: options.seed,
      workers: options.workers,
      epoch: this.epoch,
      stepInEpoch: this.stepInEpoch,
      globalStep: this.globalStep,
      stepsPerEpoch: this.stepsPerEpoch,
      totalEpochs: options.epochs,
      elapsedSeconds: this.elapsedSeconds(),
      rngState: this.parts.rng.state,
    });
    const info: CheckpointInfo = {
      step: this.globalStep,
      epoch: this.epoch,
      files: [CHECKPOINT_FILE],
      artifact: artifactOf(options.outDir, CHECKPOINT_FILE, 'checkpoint', this.globalStep),
      reason,
    };
    const stored = options.onCheckpoint?.(info);
    // Storing is the caller's business: never let its failure become an unhandled rejection here.
    if (stored instanceof Promise) stored.catch((error: unknown) => console.error(`checkpoint callback failed: ${String(error)}`));
  }

  async run(): Promise<TrainResult> {
    const { options } = this;
    if (options.resume) this.restore();
    this.startedAt = Date.now();
    this.lastMetricsAt = Date.now();
    this.rateSince = Date.now();
    while (this.epoch < options.epochs) {
      if (this.stepInEpoch < this.stepsPerEpoch) {
        const iterator = this.parts.source.batches(this.epoch, this.stepInEpoch)[Symbol.asyncIterator]();
        try {
          for (;;) {
            if (options.signal?.aborted) return this.cancel();
            if (options.controller?.takeRequest()) this.checkpoint('requested');
            const waitStart = performance.now();
            const next = await iterator.next();
            this.waitMs += performance.now() - waitStart;
            if (next.done) break;
            if (options.signal?.aborted) return this.cancel();
            this.step(next.value);
            this.stepInEpoch += 1;
            this.reportProgress(false);
            // Let timers, IPC messages and abort events run between steps.
            await new Promise<void>((resolve) => setImmediate(resolve));
          }
        } finally {
          await iterator.return?.();
        }
        if (this.stepInEpoch !== this.stepsPerEpoch) {
          throw new Error(`epoch ${this.epoch}: the data gave ${this.stepInEpoch} batches, expected ${this.stepsPerEpoch}`);
        }
      }
      this.epoch += 1;
      this.stepInEpoch = 0;
      this.checkpoint('epoch-end');
      this.reportProgress(true);
    }
    const finalWeights = this.exportFinalWeights();
    return { status: 'completed', step: this.globalStep, epoch: this.epoch, finalFiles: [FINAL_WEIGHTS_FILE], finalWeights };
  }

  private cancel(): TrainResult {
    this.checkpoint('canceled');
    return { status: 'canceled', step: this.globalStep, epoch: this.epoch, finalFiles: [], finalWeights: null };
  }

  private exportFinalWeights(): Artifact {
    const { backbone } = this.parts;
    saveFinalWeights(path.join(this.options.outDir, FINAL_WEIGHTS_FILE), [...backbone.parameters(), ...backbone.buffers()], {
      method: this.options.method,
      config: this.options.config,
      step: this.globalStep,
    });
    return artifactOf(this.options.outDir, FINAL_WEIGHTS_FILE, 'final-weights', this.globalStep);
  }

  private shouldLog(step: number): boolean {
    const { steps, seconds } = this.options.logEvery;
    if (!this.options.onMetrics) return false;
    if (steps > 0 && step % steps === 0) return true;
    if (step === this.totalSteps - 1) return true;
    return Date.now() - this.lastMetricsAt >= seconds * 1000;
  }

  /** One optimisation step on one batch. */
  private step(batch: TrainBatch): void {
    const step = this.globalStep;
    const withMetrics = this.shouldLog(step);
    const { backbone, model, evaluator } = this.parts;
    const b = batch.size;
    const r = batch.resolution;
    const inputs = tf.tidy(() => ({
      x1: tf.tensor4d(batch.x1, [b, r, r, 3]),
      x2: tf.tensor4d(batch.x2, [b, r, r, 3]),
      z: tf.tensor2d(batch.latents, [b, batch.latentDim]),
      labels: tf.tensor1d(Int32Array.from(batch.labels), 'int32'),
    }));
    let kept: StepTensors | null = null;
    let evalMetrics: Record<string, tf.Scalar> = {};
    const ssl = tf.variableGrads(() => {
      const hx = backbone.apply(inputs.x1, true);
      const hy = backbone.apply(inputs.x2, true);
      const out = model.objective({ hx, hy, z: inputs.z });
      kept = { hx, hy, embX: out.embX, embY: out.embY, prediction: out.prediction, terms: out.terms };
      for (const t of [hx, hy, out.embX, out.embY, ...(out.prediction ? [out.prediction] : []), ...Object.values(out.terms)]) tf.keep(t);
      return out.loss;
    }, this.sslVariables);
    if (kept === null) throw new Error('objective did not run');
    const features: StepTensors = kept;
    const evaluation = tf.variableGrads(() => {
      const out = evaluator.apply({ hx: features.hx, hy: features.hy, embX: features.embX, embY: features.embY, z: inputs.z, labels: inputs.labels }, withMetrics);
      evalMetrics = out.metrics;
      for (const metric of Object.values(out.metrics)) tf.keep(metric);
      // Disjoint parameters: the gradient of the sum is each head's own gradient.
      return out.probeLoss ? tf.add<tf.Scalar>(out.loss, out.probeLoss) : out.loss;
    }, this.evaluatorVariables);
    this.optimizer.apply(ssl.grads);
    this.optimizer.apply(evaluation.grads);
    tf.dispose(ssl.grads);
    tf.dispose(evaluation.grads);
    const loss = ssl.value.dataSync()[0] as number;
    try {
      if (!Number.isFinite(loss)) throw new Error(`training diverged: loss is ${loss} at step ${step} (epoch ${this.epoch})`);
      if (withMetrics) this.emitMetrics(step, ssl.value, features, evalMetrics);
    } finally {
      tf.dispose([ssl.value, evaluation.value, inputs.x1, inputs.x2, inputs.z, inputs.labels]);
      tf.dispose([features.hx, features.hy, features.embX, features.embY, ...(features.prediction ? [features.prediction] : [])]);
      tf.dispose(Object.values(features.terms));
      tf.dispose(Object.values(evalMetrics));
    }
    this.rateSteps += 1;
    this.rateImages += 2 * b;
  }

  private emitMetrics(step: number, loss: tf.Scalar, f: StepTensors, evalMetrics: Record<string, tf.Scalar>): void {
    const keys: string[] = [];
    const values = tf.tidy(() => {
      const scalars: tf.Scalar[] = [];
      const add = (key: string, value: tf.Scalar) => {
        keys.push(key);
        scalars.push(value);
      };
      add(lossTermTags.loss, loss);
      const logged = this.options.loggedTerms;
      for (const [term, value] of Object.entries(f.terms) as [LossTerm, tf.Scalar][]) {
        if (logged === undefined || logged.includes(term)) add(lossTermTags[term], value);
      }
      add('Stats/Corr. representations view1', correlationStat(f.hx));
      add('Stats/Corr. representations view2', correlationStat(f.hy));
      add('Stats/Std representations view1', stdStat(f.hx));
      add('Stats/Std representations view2', stdStat(f.hy));
      add('Stats/Corr. embeddings view1', correlationStat(f.embX));
      add('Stats/Corr. embeddings view2', correlationStat(f.embY));
      add('Stats/Std embeddings view1', stdStat(f.embX));
      add('Stats/Std embeddings view2', stdStat(f.embY));
      if (f.prediction && f.prediction.shape[1] >= 2) {
        add('Stats/Corr. predictor output', correlationStat(f.prediction));
        add('Stats/Std predictor output', stdStat(f.prediction));
      }
      for (const [key, value] of Object.entries(evalMetrics)) add(key, value);
      return tf.stack(scalars).dataSync();
    });
    const time = Date.now();
    const points: MetricPoint[] = keys.map((key, i) => ({ key, step, value: values[i] as number, time }));
    const memory = tf.memory();
    const windowMs = time - this.lastMetricsAt;
    points.push(
      { key: 'General/epoch', step, value: this.epoch, time },
      { key: 'General/time_elapsed', step, value: this.elapsedSeconds(), time },
      { key: 'General/lr', step, value: this.options.lr, time },
      // Is the run input-bound? The share of wall time since the last metrics spent waiting for batches.
      { key: systemMetricKeys.dataWaitFraction, step, value: windowMs > 0 ? Math.min(1, this.waitMs / windowMs) : 0, time },
      { key: systemMetricKeys.tfjsMemoryMb, step, value: memory.numBytes / 2 ** 20, time },
      { key: systemMetricKeys.tfjsTensors, step, value: memory.numTensors, time },
    );
    this.waitMs = 0;
    this.lastMetricsAt = time;
    this.options.onMetrics?.(points.filter((p) => Number.isFinite(p.value)));
  }

  private reportProgress(force: boolean): void {
    const { onProgress } = this.options;
    const now = Date.now();
    const since = (now - this.rateSince) / 1000;
    if (since >= 2 && this.rateSteps > 0) {
      const rate = this.rateSteps / since;
      const images = this.rateImages / since;
      this.stepsPerSecond = this.stepsPerSecond === 0 ? rate : 0.7 * this.stepsPerSecond + 0.3 * rate;
      this.imagesPerSecond = this.imagesPerSecond === 0 ? images : 0.7 * this.imagesPerSecond + 0.3 * images;
      this.rateSteps = 0;
      this.rateImages = 0;
      this.rateSince = now;
    } else if (this.stepsPerSecond === 0 && this.rateSteps > 0 && since > 0) {
      this.stepsPerSecond = this.rateSteps / since;
      this.imagesPerSecond = this.rateImages / since;
    }
    if (!onProgress) return;
    const last = this.globalStep >= this.totalSteps;
    if (!force && !last && now - this.lastProgressAt < 500) return;
    this.lastProgressAt = now;
    const remaining = this.totalSteps - this.globalStep;
    onProgress({
      step: this.globalStep,
      totalSteps: this.totalSteps,
      epoch: Math.min(this.epoch, this.options.epochs),
      totalEpochs: this.options.epochs,
      imagesPerSecond: this.imagesPerSecond,
      etaSeconds: this.stepsPerSecond > 0 ? remaining / this.stepsPerSecond : null,
    });
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
