import * as tf from '@tensorflow/tfjs-core';
import type { NamedVariable } from '../types';

let nextId = 0;

/**
 * y = x·W + b with W stored [in, out], initialised like PyTorch `nn.Linear` (weights and bias uniform in
 * ±1/√in) from an explicit seed.
 */
export class LinearLayer {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;

  constructor(
    readonly name: string,
    readonly inDim: number,
    readonly outDim: number,
    seed: number,
  ) {
    const bound = 1 / Math.sqrt(inDim);
    const id = nextId++;
    this.weight = tf.tidy(() =>
      tf.variable(tf.randomUniform([inDim, outDim], -bound, bound, 'float32', seed), true, `evaluator/${id}/${name}.weight`),
    );
    this.bias = tf.tidy(() =>
      tf.variable(tf.randomUniform([outDim], -bound, bound, 'float32', seed + 1), true, `evaluator/${id}/${name}.bias`),
    );
  }

  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.add(tf.matMul(x, this.weight), this.bias);
  }

  parameters(): NamedVariable[] {
    return [
      { name: `${this.name}.weight`, variable: this.weight },
      { name: `${this.name}.bias`, variable: this.bias },
    ];
  }

  dispose(): void {
    this.weight.dispose();
    this.bias.dispose();
  }
}
