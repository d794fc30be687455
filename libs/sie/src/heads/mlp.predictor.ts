import * as tf from '@tensorflow/tfjs-core';
import { SingleNetworkPredictor } from './predictor.head';
import { SequentialHead, mlpSpecs } from './sequential.head';
import type { SeedStream } from './seed.stream';

/**
 * `--predictor-type mlp`: ŷ = MLP(concat(z, x)) — latent FIRST — with Linear(E+L→E), then `numLayers − 1`
 * Linear(E→E), ReLU between layers and none after the last (1 layer = one affine map).
 */
export class MlpPredictor extends SingleNetworkPredictor {
  readonly net: SequentialHead;

  constructor(
    readonly name: string,
    readonly embDim: number,
    readonly latentDim: number,
    numLayers: number,
    seeds: SeedStream,
  ) {
    super();
    if (!Number.isInteger(numLayers) || numLayers < 1)
      throw new Error(`tf_num_layers: must be an integer ≥ 1, got ${numLayers}`);
    const widths = [embDim + latentDim, ...Array.from({ length: numLayers }, () => embDim)];
    this.net = new SequentialHead(name, mlpSpecs(widths), seeds);
  }

  apply(x: tf.Tensor2D, z: tf.Tensor2D): tf.Tensor2D {
    if (z.shape[1] !== this.latentDim)
      throw new Error(
        `${this.name}: expected a ${this.latentDim}-D latent z, got shape [${z.shape.join(', ')}]`,
      );
    return this.net.apply(tf.concat([z, x], 1));
  }

  protected get network(): SequentialHead {
    return this.net;
  }
}
