import * as tf from '@tensorflow/tfjs-core';
import * as path from 'node:path';
import { existsSync, mkdirSync } from 'node:fs';
import { PairLoader } from '@equilab/data';
import type { MetricPoint, ProbeConfig, Progress } from '@equilab/contracts';
import { SeedStream } from '../heads/seed.stream';
import { mlpSpecs, SequentialHead } from '../heads/sequential.head';
import { r2Score } from '../metrics/r2.metric';
import { topKAccuracy } from '../metrics/topk.metric';
import { AdamOptimizer } from '../train/adam.optimizer';
import { loadCheckpoint, readCheckpointState, saveCheckpoint, type VariableGroup } from '../train/checkpoint.store';
import type { PretrainedRun } from './pretrained.loader';

export type ProbeKind = 'classification' | 'rotation' | 'color';
export const PROBE_CHECKPOINT_FILE = 'probe.safetensors';

/** Cancellation and reporting of an offline evaluation. */
export interface EvaluationCallbacks {
  readonly signal?: AbortSignal;
  /** Prepended to every metric key (the runner separates evaluations in the run's series). */
  readonly metricPrefix?: string;
  readonly onMetrics?: (points: MetricPoint[]) => void;
  readonly onProgress?: (progress: Progress) => void;
}

export interface ProbeRunOptions extends EvaluationCallbacks {
  readonly run: PretrainedRun;
  readonly kind: ProbeKind;
  readonly config: ProbeConfig;
  readonly dataRoot: string;
  /** Probe checkpoint (each epoch) goes here. */
  readonly evalDir: string;
  readonly seed: number;
  readonly workers: number;
  /** Continue from `evalDir/probe.safetensors` when it exists (same kind and config; `epochs` may change). */
  readonly resume: boolean;
}

export interface ProbeOutcome {
  readonly status: 'completed' | 'canceled';
  /** Validation metrics of the last finished epoch (reference keys without `Metrics/`). */
  readonly metrics: Record<string, number>;
  readonly epochsDone: number;
  readonly resumedFromEpoch: number;
  readonly featureDims: number;
  readonly head: { readonly type: 'linear' | 'mlp'; readonly hidden: number | null };
}

/** Columns [from, from + width) of the representation a part selects (spec §7: inv = first D − e, equi = last e). */
export function partColumns(part: ProbeConfig['part'], reprDim: number, equiDims: number | undefined): { from: number; width: number } {
  if (part === 'full') return { from: 0, width: reprDim };
  if (equiDims === undefined) throw new Error(`config.equi_dims: required for part '${part}' (the run's config has no 'equi')`);
  if (!(equiDims >= 1 && equiDims < reprDim)) throw new Error(`config.equi_dims: must be in 1..${reprDim - 1} for a ${reprDim}-wide representation, got ${equiDims}`);
  return part === 'inv' ? { from: 0, width: reprDim - equiDims } : { from: reprDim - equiDims, width: equiDims };
}

/** `val top-1` / `val top-5` as fractions over all rows (spec §7.1). */
export function classificationMetrics(logits: tf.Tensor2D, labels: tf.Tensor1D): Record<string, number> {
  return tf.tidy(() => ({
    'val top-1': topKAccuracy(logits, labels, 1).dataSync()[0]!,
    'val top-5': topKAccuracy(logits, labels, 5).dataSync()[0]!,
  }));
}

/** `val_R2` (spec §5: scalar-mean denominator) and `val_MSE` (mean over every entry) over all rows. */
export function regressionMetrics(prediction: tf.Tensor, target: tf.Tensor): Record<string, number> {
  return tf.tidy(() => ({
    val_R2: r2Score(prediction, target).dataSync()[0]!,
    val_MSE: tf.mean(tf.squaredDifference(prediction, target)).dataSync()[0]!,
  }));
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Train a probe on frozen backbone features (spec §7.1–7.3) and validate it every epoch on the whole val split.
 * classification: one view → 55-way (numClasses) logits, CE; rotation: concat(f(v1), f(v2)) → relative
 * quaternion, MSE; color: → (Δfloor hue, Δlight hue), MSE. `bn_mode: faithful` keeps the backbone in training
 * mode while the head trains (batch statistics; running statistics drift and are checkpointed with the head).
 */
export async function runProbeEvaluation(options: ProbeRunOptions): Promise<ProbeOutcome> {
  const { run, kind, config } = options;
  const prefix = options.metricPrefix ?? '';
  const D = run.backbone.outDim;
  const runEqui = typeof run.config['equi'] === 'number' ? (run.config['equi']) : undefined;
  const cols = partColumns(config.part, D, config.equi_dims ?? runEqui);
  const resolution = config.resolution ?? run.resolution;
  const twoViews = kind !== 'classification';
  const headType = config.head ?? (kind === 'classification' ? 'linear' : 'mlp');
  const hidden = headType === 'mlp' ? (config.hidden ?? 2 * D) : null;
  mkdirSync(options.evalDir, { recursive: true });
  const ckptPath = path.join(options.evalDir, PROBE_CHECKPOINT_FILE);
  const storedConfig = { kind, part: config.part, head: headType, hidden, lr: config.lr, wd: config.wd, batch_size: config.batch_size, bn_mode: config.bn_mode, resolution, cols };
  const resume = options.resume && existsSync(ckptPath);
  if (resume) {
    const state = readCheckpointState(ckptPath);
    if (state.method !== `eval:${kind}` || !sameJson(state.config, storedConfig) || state.seed !== options.seed)
      throw new Error(`resume: ${ckptPath} holds another evaluation (${state.method}, ${JSON.stringify(state.config)}, seed ${state.seed}); use another eval dir or the same config`);
  }

  const open = (split: 'train' | 'val', shuffle: boolean) =>
    PairLoader.open({
      root: options.dataRoot,
      imagesFile: `${options.dataRoot}/${split}_images.npy`,
      labelsFile: `${options.dataRoot}/${split}_labels.npy`,
      resolution,
      latentMode: 'rotcolor',
      batchSize: config.batch_size,
      workers: split === 'train' ? options.workers : 0,
      seed: options.seed + (split === 'val' ? 1 : 0),
      shuffle,
    });
  const trainLoader = await open('train', true);
  const valLoader = await open('val', false);
  const numClasses = trainLoader.dataset.numClasses;
  const outDim = kind === 'classification' ? numClasses : kind === 'rotation' ? 4 : 2;
  const inDim = cols.width * (twoViews ? 2 : 1);
  const head = new SequentialHead('head', mlpSpecs(hidden === null ? [inDim, outDim] : [inDim, hidden, hidden, outDim]), new SeedStream(options.seed));
  const adam = new AdamOptimizer(head.parameters(), { lr: config.lr, weightDecay: config.wd });
  const groups: VariableGroup[] = [
    { prefix: 'head', variables: head.parameters() },
    { prefix: 'backbone', variables: run.backbone.buffers() },
  ];
  // The backbone's running statistics drift in faithful mode: restore them when this probe is done.
  const initialBuffers = run.backbone.buffers().map(({ variable }) => tf.clone(variable));
  const stepsPerEpoch = trainLoader.batchesPerEpoch;
  let startEpoch = 0;
  let metrics: Record<string, number> = {};
  let elapsed = 0;
  try {
    if (resume) {
      const state = loadCheckpoint(ckptPath, groups, adam) as ReturnType<typeof readCheckpointState> & { lastMetrics?: Record<string, number> };
      startEpoch = state.epoch;
      elapsed = state.elapsedSeconds;
      metrics = state.lastMetrics ?? {};
    }
    const features = (x: Float32Array, n: number, training: boolean): tf.Tensor2D =>
      tf.tidy(() => {
        const h = run.backbone.apply(tf.tensor4d(x, [n, resolution, resolution, 3]), training);
        return cols.width === D ? h : tf.slice(h, [0, cols.from], [-1, cols.width]);
      });
    const input = (b: { x1: Float32Array; x2: Float32Array; shape: { batch: number } }, training: boolean): tf.Tensor2D => {
      const n = b.shape.batch;
      const f1 = features(b.x1, n, training);
      if (!twoViews) return f1;
      const f2 = features(b.x2, n, training);
      const both = tf.concat([f1, f2], 1);
      f1.dispose();
      f2.dispose();
      return both;
    };
    const target = (b: { latents: Float32Array; labels: Int32Array; shape: { batch: number; latent: number } }): tf.Tensor => {
      const n = b.shape.batch;
      if (kind === 'classification') return tf.tensor1d(b.labels, 'int32');
      return tf.tidy(() => {
        const all = tf.tensor2d(b.latents, [n, b.shape.latent]);
        return kind === 'rotation' ? tf.slice(all, [0, 0], [-1, 4]) : tf.slice(all, [0, 4], [-1, 2]);
      });
    };
    const lossOf = (out: tf.Tensor2D, t: tf.Tensor): tf.Scalar => {
      const loss: tf.Tensor =
        kind === 'classification'
          ? tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(t as tf.Tensor1D, numClasses), tf.logSoftmax(out)), 1)))
          : tf.mean(tf.squaredDifference(out, t));
      return loss as tf.Scalar;
    };
    const bnTraining = config.bn_mode === 'faithful';
    let epoch = startEpoch;
    for (; epoch < config.epochs; epoch++) {
      const epochStart = Date.now();
      let step = epoch * stepsPerEpoch;
      let images = 0;
      for await (const batch of trainLoader.epoch(epoch)) {
        if (options.signal?.aborted) return finish('canceled');
        // Batch statistics of a single sample are undefined (unbiased variance): skip a last batch of one.
        if (bnTraining && batch.shape.batch < 2) continue;
        const x = input(batch, bnTraining);
        const t = target(batch);
        const { value, grads } = tf.variableGrads(() => lossOf(head.apply(x), t), adam.variables());
        adam.apply(grads);
        tf.dispose(grads);
        step++;
        images += batch.shape.batch * (twoViews ? 2 : 1);
        if (step % config.log_every === 0) {
          const trainMetric = tf.tidy(() => {
            const out = head.apply(x);
            return kind === 'classification' ? topKAccuracy(out, t as tf.Tensor1D, 1) : r2Score(out, t);
          });
          const now = Date.now();
          options.onMetrics?.([
            { key: `${prefix}Loss/loss`, step, value: value.dataSync()[0]!, time: now },
            { key: `${prefix}Metrics/${kind === 'classification' ? 'train top-1' : 'train_R2'}`, step, value: trainMetric.dataSync()[0]!, time: now },
            { key: `${prefix}General/lr`, step, value: config.lr, time: now },
          ]);
          trainMetric.dispose();
        }
        value.dispose();
        x.dispose();
        t.dispose();
      }
      metrics = await validate();
      const now = Date.now();
      elapsed += (now - epochStart) / 1000;
      options.onMetrics?.(Object.entries(metrics).map(([key, value]) => ({ key: `${prefix}Metrics/${key}`, step, value, time: now })));
      const state = {
        method: `eval:${kind}`,
        config: storedConfig,
        seed: options.seed,
        workers: options.workers,
        epoch: epoch + 1,
        stepInEpoch: 0,
        globalStep: step,
        stepsPerEpoch,
        totalEpochs: config.epochs,
        elapsedSeconds: elapsed,
        rngState: 0,
        lastMetrics: metrics,
      };
      saveCheckpoint(ckptPath, groups, adam, state);
      const done = epoch + 1 - startEpoch;
      const perEpoch = elapsed / Math.max(1, epoch + 1);
      options.onProgress?.({
        step,
        totalSteps: stepsPerEpoch * config.epochs,
        epoch: epoch + 1,
        totalEpochs: config.epochs,
        imagesPerSecond: images / Math.max(1e-3, (now - epochStart) / 1000),
        etaSeconds: done > 0 ? perEpoch * (config.epochs - epoch - 1) : null,
      });
    }
    return finish('completed');

    function finish(status: 'completed' | 'canceled'): ProbeOutcome {
      return { status, metrics, epochsDone: epoch, resumedFromEpoch: startEpoch, featureDims: cols.width, head: { type: headType, hidden } };
    }

    async function validate(): Promise<Record<string, number>> {
      const outs: tf.Tensor2D[] = [];
      const targets: tf.Tensor[] = [];
      try {
        for await (const batch of valLoader.epoch(epoch)) {
          const x = input(batch, false);
          outs.push(tf.tidy(() => head.apply(x)));
          x.dispose();
          targets.push(target(batch));
        }
        return tf.tidy((): Record<string, number> => {
          const out = tf.concat(outs, 0);
          const t = tf.concat(targets, 0);
          return kind === 'classification' ? classificationMetrics(out, t as tf.Tensor1D) : regressionMetrics(out, t);
        });
      } finally {
        tf.dispose(outs);
        tf.dispose(targets);
      }
    }
  } finally {
    run.backbone.buffers().forEach(({ variable }, i) => variable.assign(initialBuffers[i]!));
    tf.dispose(initialBuffers);
    adam.dispose();
    head.dispose();
    await trainLoader.close();
    await valLoader.close();
  }
}
