import type * as tf from '@tensorflow/tfjs-core';
import type { Module } from '../types';

/** A transformation predictor: ŷ = Pred(x, z) on (B, E) embeddings and (B, L) latents. */
export interface PredictorHead extends Module {
  readonly embDim: number;
  readonly latentDim: number;
  apply(x: tf.Tensor2D, z: tf.Tensor2D): tf.Tensor2D;
}
