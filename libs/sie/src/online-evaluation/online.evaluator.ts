import * as tf from '@tensorflow/tfjs-core';
import type { EvalDims, Module, NamedVariable } from '../types';
import { LinearLayer } from '../heads/linear.layer';
import { r2Score } from '../metrics/r2.metric';
import { topKAccuracy } from '../metrics/topk.metric';

/** Inputs of the online evaluator; all are treated as constants (no gradient reaches them). */
export interface EvaluatorInputs {
  /** Backbone representations of the two views, (B, D). */
  readonly hx: tf.Tensor2D;
  readonly hy: tf.Tensor2D;
  /** Projector outputs of the two views, (B, E). */
  readonly embX: tf.Tensor2D;
  readonly embY: tf.Tensor2D;
  /** Transformation latent (B, ≥4); the rotation target is its first 4 columns. */
  readonly z: tf.Tensor2D;
  /** Class labels (B,), int32. */
  readonly labels: tf.Tensor1D;
}

export interface EvaluatorOutput {
  /** Σ CE + Σ MSE over every head of the reference's evaluator. */
  readonly loss: tf.Scalar;
  /** Σ MSE of the part probes (`extra/…`), trained by their own optimiser; null without part probes. */
  readonly probeLoss: tf.Scalar | null;
  /** Metric scalars keyed by their TensorBoard tag (`Online eval reprs/Top-1 representations`, …). */
  readonly metrics: Record<string, tf.Scalar>;
}

export interface OnlineEvaluatorOptions {
  /** Width of the backbone representation. */
  readonly reprDim: number;
  /** Width of the embedding handed to the evaluator. */
  readonly embDim: number;
  readonly dims: EvalDims;
  readonly numClasses: number;
  /** Seed of the heads' initialisation. */
  readonly seed: number;
  /**
   * Column ranges of the representation that get a rotation probe of their own (`extra/R2 repr[a:b]`), beside
   * the reference's heads: the evaluator's regressor architecture on one part, trained on detached inputs by its
   * own optimiser. Default none.
   */
  readonly partProbes?: readonly (readonly [number, number])[];
}

/**
 * The parts probed by `extra/R2 repr[a:b]`: a split method's invariant and equivariant parts, otherwise the two
 * halves of the representation (as the reference curves in shared/reference do: "probe_split").
 */
export function defaultPartProbes(reprDim: number, dims: EvalDims): [number, number][] {
  if (dims.invRepr > 0 && dims.equiRepr > 0 && dims.invRepr + dims.equiRepr === reprDim) {
    return [
      [0, dims.invRepr],
      [dims.invRepr, reprDim],
    ];
  }
  if (reprDim < 2) return [];
  const half = Math.floor(reprDim / 2);
  return [
    [0, half],
    [half, reprDim],
  ];
}

class Classifier {
  readonly linear: LinearLayer;
  constructor(
    readonly tag: string,
    name: string,
    readonly offset: number,
    readonly width: number,
    numClasses: number,
    seed: number,
  ) {
    this.linear = new LinearLayer(name, width, numClasses, true, seed);
  }
}

/** Linear(2d→2d) → ReLU → Linear(2d→2d) → ReLU → Linear(2d→4). */
class Regressor {
  readonly layers: LinearLayer[];
  constructor(
    readonly tag: string,
    name: string,
    readonly offset: number,
    readonly width: number,
    seed: number,
  ) {
    const d2 = 2 * width;
    this.layers = [
      new LinearLayer(`${name}.0`, d2, d2, true, seed),
      new LinearLayer(`${name}.2`, d2, d2, true, seed + 2),
      new LinearLayer(`${name}.4`, d2, 4, true, seed + 4),
    ];
  }

  apply(x: tf.Tensor2D): tf.Tensor2D {
    const [l0, l1, l2] = this.layers as [LinearLayer, LinearLayer, LinearLayer];
    return l2.apply(tf.relu(l1.apply(tf.relu(l0.apply(x)))));
  }
}

function slice(x: tf.Tensor2D, offset: number, width: number): tf.Tensor2D {
  return offset === 0 && width === x.shape[1] ? x : tf.slice(x, [0, offset], [-1, width]);
}

/**
 * The online evaluator of the reference (spec §5): linear classifiers on the full and invariant parts of the
 * representations and embeddings (both views stacked, labels duplicated), and MLP rotation regressors on
 * concat(view 1, view 2) of the full and equivariant parts. Trained jointly with the method on detached
 * inputs: the trainer differentiates its loss with respect to the evaluator's own parameters only.
 */
export class OnlineEvaluator implements Module {
  private readonly classifiers: { group: 'reprs' | 'embs'; head: Classifier }[] = [];
  private readonly regressors: { group: 'reprs' | 'embs'; head: Regressor }[] = [];
  private readonly probes: Regressor[] = [];
  readonly numClasses: number;

  constructor(options: OnlineEvaluatorOptions) {
    const { reprDim, embDim, dims, numClasses } = options;
    for (const [key, value] of Object.entries(dims)) {
      if (!Number.isInteger(value) || value < 0) throw new Error(`evalDims.${key} must be a non-negative integer, got ${value}`);
    }
    if (dims.invRepr + dims.equiRepr > reprDim) throw new Error(`evalDims: invRepr + equiRepr exceeds the representation width ${reprDim}`);
    if (dims.invEmb + dims.equiEmb > embDim) throw new Error(`evalDims: invEmb + equiEmb exceeds the embedding width ${embDim}`);
    this.numClasses = numClasses;
    let seed = options.seed;
    const nextSeed = () => (seed += 16);
    this.classifiers.push({ group: 'reprs', head: new Classifier('representations', 'classifier_repr', 0, reprDim, numClasses, nextSeed()) });
    if (dims.invRepr > 0) {
      this.classifiers.push({ group: 'reprs', head: new Classifier('representations-inv', 'classifier_repr_inv', 0, dims.invRepr, numClasses, nextSeed()) });
    }
    this.classifiers.push({ group: 'embs', head: new Classifier('embeddings', 'classifier_emb', 0, embDim, numClasses, nextSeed()) });
    if (dims.invEmb > 0) {
      this.classifiers.push({ group: 'embs', head: new Classifier('embeddings-inv', 'classifier_emb_inv', 0, dims.invEmb, numClasses, nextSeed()) });
    }
    this.regressors.push({ group: 'reprs', head: new Regressor('representations', 'regressor_repr', 0, reprDim, nextSeed()) });
    if (dims.equiRepr > 0) {
      this.regressors.push({ group: 'reprs', head: new Regressor('representations-equi', 'regressor_repr_equi', dims.invRepr, dims.equiRepr, nextSeed()) });
    }
    this.regressors.push({ group: 'embs', head: new Regressor('embeddings', 'regressor_emb', 0, embDim, nextSeed()) });
    if (dims.equiEmb > 0) {
      this.regressors.push({ group: 'embs', head: new Regressor('embeddings-equi', 'regressor_emb_equi', dims.invEmb, dims.equiEmb, nextSeed()) });
    }
    for (const [start, end] of options.partProbes ?? []) {
      if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && end > start && end <= reprDim))
        throw new Error(`partProbes: [${start}, ${end}) is not a column range of the ${reprDim}-D representation`);
      this.probes.push(new Regressor(`repr[${start}:${end}]`, `probe_repr_${start}_${end}`, start, end - start, nextSeed()));
    }
  }

  /** The metric tags this evaluator emits. */
  metricKeys(): string[] {
    const keys: string[] = [];
    for (const { group, head } of this.classifiers) {
      for (const m of ['CE', 'Top-1', 'Top-5']) keys.push(`Online eval ${group}/${m} ${head.tag}`);
    }
    for (const { group, head } of this.regressors) {
      for (const m of ['MSE', 'R2']) keys.push(`Online eval ${group}/${m} ${head.tag}`);
    }
    for (const probe of this.probes) keys.push(`extra/R2 ${probe.tag}`);
    return keys;
  }

  /**
   * Loss (and, when `withMetrics`, the metric scalars) for one batch. Call inside `tf.variableGrads` over
   * `parameters()` with inputs that are not on the tape of the SSL loss.
   */
  apply(inputs: EvaluatorInputs, withMetrics: boolean): EvaluatorOutput {
    const metrics: Record<string, tf.Scalar> = {};
    const terms: tf.Scalar[] = [];
    const labels2 = tf.concat([inputs.labels, inputs.labels]);
    const oneHot = tf.oneHot(tf.cast(labels2, 'int32'), this.numClasses);
    const target = inputs.z.shape[1] === 4 ? inputs.z : tf.slice(inputs.z, [0, 0], [-1, 4]);
    const sources = {
      reprs: { x: inputs.hx, y: inputs.hy },
      embs: { x: inputs.embX, y: inputs.embY },
    };
    for (const { group, head } of this.classifiers) {
      const { x, y } = sources[group];
      const features = tf.concat([slice(x, head.offset, head.width), slice(y, head.offset, head.width)], 0);
      const logits = head.linear.apply(features);
      const ce = tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1))) as tf.Scalar;
      terms.push(ce);
      if (withMetrics) {
        metrics[`Online eval ${group}/CE ${head.tag}`] = ce;
        metrics[`Online eval ${group}/Top-1 ${head.tag}`] = topKAccuracy(logits, labels2, 1);
        metrics[`Online eval ${group}/Top-5 ${head.tag}`] = topKAccuracy(logits, labels2, 5);
      }
    }
    for (const { group, head } of this.regressors) {
      const { x, y } = sources[group];
      const features = tf.concat([slice(x, head.offset, head.width), slice(y, head.offset, head.width)], 1);
      const prediction = head.apply(features);
      const mse = tf.mean<tf.Scalar>(tf.squaredDifference(prediction, target));
      terms.push(mse);
      if (withMetrics) {
        metrics[`Online eval ${group}/MSE ${head.tag}`] = mse;
        metrics[`Online eval ${group}/R2 ${head.tag}`] = r2Score(prediction, target);
      }
    }
    const probeTerms: tf.Scalar[] = [];
    for (const probe of this.probes) {
      const features = tf.concat([slice(inputs.hx, probe.offset, probe.width), slice(inputs.hy, probe.offset, probe.width)], 1);
      const prediction = probe.apply(features);
      probeTerms.push(tf.mean<tf.Scalar>(tf.squaredDifference(prediction, target)));
      if (withMetrics) metrics[`extra/R2 ${probe.tag}`] = r2Score(prediction, target);
    }
    return { loss: tf.addN<tf.Scalar>(terms), probeLoss: probeTerms.length > 0 ? tf.addN<tf.Scalar>(probeTerms) : null, metrics };
  }

  /** Parameters of the reference's heads (trained with the method's optimiser). */
  parameters(): NamedVariable[] {
    return [
      ...this.classifiers.flatMap(({ head }) => head.linear.parameters()),
      ...this.regressors.flatMap(({ head }) => head.layers.flatMap((layer) => layer.parameters())),
    ];
  }

  /** Parameters of the part probes (trained by an optimiser of their own). */
  probeParameters(): NamedVariable[] {
    return this.probes.flatMap((probe) => probe.layers.flatMap((layer) => layer.parameters()));
  }

  buffers(): NamedVariable[] {
    return [];
  }

  dispose(): void {
    for (const { head } of this.classifiers) head.linear.dispose();
    for (const { head } of this.regressors) for (const layer of head.layers) layer.dispose();
    for (const probe of this.probes) for (const layer of probe.layers) layer.dispose();
  }
}
