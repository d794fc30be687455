import * as tf from '@tensorflow/tfjs-core';
import type { NamedVariable } from '../types';
import { BN_EPS, batchNormTrain, type BatchStats } from '../ops/batch-norm.op';

/** A variable initialised from `init`, which is then released (tf.variable would otherwise keep it alive). */
export function ownedVariable<R extends tf.Rank>(init: tf.Tensor<R>, trainable: boolean): tf.Variable<R> {
  const v = tf.variable(init, trainable);
  init.dispose();
  return v;
}

/** PyTorch's default batch-norm momentum: running = (1 − m)·running + m·batch. */
export const BN_MOMENTUM = 0.1;

/**
 * Batch norm with learnable γ/β and running statistics as buffers. Training mode normalises with the batch
 * statistics (biased variance) and updates the running mean and the running *unbiased* variance, as PyTorch does;
 * evaluation mode normalises with the running statistics.
 */
export class BatchNormLayer {
  readonly gamma: tf.Variable<tf.Rank.R1>;
  readonly beta: tf.Variable<tf.Rank.R1>;
  readonly runningMean: tf.Variable<tf.Rank.R1>;
  readonly runningVar: tf.Variable<tf.Rank.R1>;

  constructor(
    readonly name: string,
    readonly channels: number,
    zeroGamma = false,
  ) {
    this.gamma = ownedVariable(zeroGamma ? tf.zeros([channels]) : tf.ones([channels]), true);
    this.beta = ownedVariable(tf.zeros([channels]), true);
    this.runningMean = ownedVariable(tf.zeros([channels]), false);
    this.runningVar = ownedVariable(tf.ones([channels]), false);
  }

  apply<T extends tf.Tensor>(x: T, training: boolean): T {
    if (!training) return tf.batchNorm(x, this.runningMean, this.runningVar, this.beta, this.gamma, BN_EPS) as T;
    return batchNormTrain(x, this.gamma, this.beta, (s) => this.updateRunningStats(s));
  }

  /** Called with the batch statistics of each training-mode forward pass (never recorded on a gradient tape). */
  updateRunningStats(stats: BatchStats): void {
    tf.tidy(() => {
      const unbiased = stats.count > 1 ? tf.mul(stats.variance, stats.count / (stats.count - 1)) : stats.variance;
      this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - BN_MOMENTUM), tf.mul(stats.mean, BN_MOMENTUM)));
      this.runningVar.assign(tf.add(tf.mul(this.runningVar, 1 - BN_MOMENTUM), tf.mul(unbiased, BN_MOMENTUM)));
    });
  }

  parameters(): NamedVariable[] {
    return [
      { name: `${this.name}.gamma`, variable: this.gamma },
      { name: `${this.name}.beta`, variable: this.beta },
    ];
  }

  buffers(): NamedVariable[] {
    return [
      { name: `${this.name}.running_mean`, variable: this.runningMean },
      { name: `${this.name}.running_var`, variable: this.runningVar },
    ];
  }

  dispose(): void {
    for (const v of [this.gamma, this.beta, this.runningMean, this.runningVar]) v.dispose();
  }
}
