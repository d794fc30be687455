import type * as tf from '@tensorflow/tfjs-core';
import type { Module, NamedVariable } from '../types';

/** A transformation predictor: ŷ = Pred(x, z) on (B, E) embeddings and (B, L) latents. */
export interface PredictorHead extends Module {
  readonly embDim: number;
  readonly latentDim: number;
  apply(x: tf.Tensor2D, z: tf.Tensor2D): tf.Tensor2D;
}

/** A predictor whose variables are those of one inner network (its hypernetwork, or its MLP). */
export abstract class SingleNetworkPredictor implements PredictorHead {
  abstract readonly embDim: number;
  abstract readonly latentDim: number;
  protected abstract get network(): Module;
  abstract apply(x: tf.Tensor2D, z: tf.Tensor2D): tf.Tensor2D;

  parameters(): NamedVariable[] {
    return this.network.parameters();
  }

  buffers(): NamedVariable[] {
    return this.network.buffers();
  }

  dispose(): void {
    this.network.dispose();
  }
}
