import * as tf from '@tensorflow/tfjs-core';
import type { NamedVariable } from '../types';
import { ownedVariable } from '../backbone/batch-norm.layer';
import { matMulFast } from '../ops/matmul.op';

/**
 * y = x·W (+ b), W stored [in, out] (the transpose of PyTorch's layout), initialised like PyTorch `nn.Linear`:
 * weight and bias uniform in ±1/√in, drawn from explicit seeds.
 */
export class LinearLayer {
  readonly weight: tf.Variable<tf.Rank.R2>;
  readonly bias: tf.Variable<tf.Rank.R1> | null;

  constructor(
    readonly name: string,
    readonly inDim: number,
    readonly outDim: number,
    hasBias: boolean,
    seed: number,
  ) {
    if (!Number.isInteger(inDim) || !Number.isInteger(outDim) || inDim < 1 || outDim < 1)
      throw new Error(`${name}: layer widths must be positive integers, got ${inDim}→${outDim}`);
    const bound = 1 / Math.sqrt(inDim);
    this.weight = ownedVariable(tf.randomUniform([inDim, outDim], -bound, bound, 'float32', seed), true);
    this.bias = hasBias
      ? ownedVariable(tf.randomUniform([outDim], -bound, bound, 'float32', seed + 1), true)
      : null;
  }

  apply(x: tf.Tensor2D): tf.Tensor2D {
    const y = matMulFast(x, this.weight);
    return this.bias ? tf.add<tf.Tensor2D>(y, this.bias) : y;
  }

  parameters(): NamedVariable[] {
    const params: NamedVariable[] = [{ name: `${this.name}.weight`, variable: this.weight }];
    if (this.bias) params.push({ name: `${this.name}.bias`, variable: this.bias });
    return params;
  }

  dispose(): void {
    this.weight.dispose();
    this.bias?.dispose();
  }
}
