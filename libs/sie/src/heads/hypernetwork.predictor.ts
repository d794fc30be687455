import * as tf from '@tensorflow/tfjs-core';
import { SingleNetworkPredictor } from './predictor.head';
import { SequentialHead, type HeadLayerSpec } from './sequential.head';
import type { LinearLayer } from './linear.layer';
import type { SeedStream } from './seed.stream';
import { matMulFast } from '../ops/matmul.op';

export interface HypernetworkOptions {
  /** linear: g = Linear(L→P); deep: Linear(L→L) → ReLU → Linear(L→L) → ReLU → Linear(L→P). */
  readonly hypernetwork: 'linear' | 'deep';
  /** Hidden widths of the predicted network (`--predictor`), [] = one square E×E layer. */
  readonly hidden: readonly number[];
  /** ReLU between the predicted layers. */
  readonly predictorRelu: boolean;
  /** Predicted layers have a bias (the last `out` entries of each layer's block). */
  readonly biasPred: boolean;
  /** The hypernetwork's layers have a bias. */
  readonly biasHypernet: boolean;
}

/** One predicted layer: its block [offset, offset + out·in (+ out)) of the hypernetwork output. */
interface PredictedLayer {
  readonly in: number;
  readonly out: number;
  readonly offset: number;
}

/**
 * Which computation `apply` uses. `fast` never builds the per-sample weights: the hypernetwork's last layer is
 * linear in its input c (c = z for the linear hypernetwork, the hidden activations for the deep one), so
 * W(z)·u = Σ_k c_k A_k u (+ B₀u with the hypernetwork bias), computed as ONE matmul u·[A_1;…;A_K]ᵀ weighted by c.
 * `general` materialises the (B, out, in) weights from g(z) as the reference does (spec §3).
 */
export type HypernetworkPath = 'fast' | 'general';

/**
 * ParametrizedNet of the reference (`--predictor-type hypernetwork`): a target network [E] + hidden + [E] whose
 * weights are produced per sample by a hypernetwork g from the latent z. Weights of layer l are the slice
 * [c_l, c_l + out·in) of g(z) reshaped row-major to (out, in); its bias (with `biasPred`) the next `out` entries.
 * Default (linear g, no bias, no hidden layer): ŷ = W(z)·x, W(z) = Σ_k z_k A_k.
 */
export class HypernetworkPredictor extends SingleNetworkPredictor {
  readonly hypernet: SequentialHead;
  readonly predicted: readonly PredictedLayer[];
  /** Size P of the hypernetwork output. */
  readonly paramCount: number;
  path: HypernetworkPath = 'fast';

  constructor(
    readonly name: string,
    readonly embDim: number,
    readonly latentDim: number,
    readonly options: HypernetworkOptions,
    seeds: SeedStream,
  ) {
    super();
    const dims = [embDim, ...options.hidden, embDim];
    const predicted: PredictedLayer[] = [];
    let offset = 0;
    for (let i = 0; i + 1 < dims.length; i++) {
      const layer = { in: dims[i] as number, out: dims[i + 1] as number, offset };
      predicted.push(layer);
      offset += layer.out * layer.in + (options.biasPred ? layer.out : 0);
    }
    this.predicted = predicted;
    this.paramCount = offset;
    const L = latentDim;
    const b = options.biasHypernet;
    const specs: HeadLayerSpec[] =
      options.hypernetwork === 'linear'
        ? [{ kind: 'linear', in: L, out: offset, bias: b }]
        : [
            { kind: 'linear', in: L, out: L, bias: b },
            { kind: 'relu' },
            { kind: 'linear', in: L, out: L, bias: b },
            { kind: 'relu' },
            { kind: 'linear', in: L, out: offset, bias: b },
          ];
    this.hypernet = new SequentialHead(`${name}.hypernet`, specs, seeds);
  }

  apply(x: tf.Tensor2D, z: tf.Tensor2D, path: HypernetworkPath = this.path): tf.Tensor2D {
    if (z.shape[1] !== this.latentDim)
      throw new Error(
        `${this.name}: expected a ${this.latentDim}-D latent z, got shape [${z.shape.join(', ')}]`,
      );
    if (x.shape[1] !== this.embDim)
      throw new Error(
        `${this.name}: expected ${this.embDim}-D embeddings, got shape [${x.shape.join(', ')}]`,
      );
    return path === 'fast' ? this.applyFast(x, z) : this.applyGeneral(x, z);
  }

  /** The last (output) linear layer of g and the activations c feeding it. */
  private coefficients(z: tf.Tensor2D): { c: tf.Tensor2D; last: LinearLayer } {
    const layers = this.hypernet.layers;
    const lastLayer = layers[layers.length - 1];
    if (lastLayer?.kind !== 'linear')
      throw new Error(`${this.name}: the hypernetwork must end with a linear layer`);
    let c = z;
    for (const l of layers.slice(0, -1)) {
      if (l.kind === 'linear') c = l.layer.apply(c);
      else if (l.kind === 'relu') c = tf.relu(c);
      else throw new Error(`${this.name}: unexpected ${l.kind} layer in the hypernetwork`);
    }
    return { c, last: lastLayer.layer };
  }

  private applyFast(x: tf.Tensor2D, z: tf.Tensor2D): tf.Tensor2D {
    const { c, last } = this.coefficients(z);
    const B = x.shape[0];
    const K = c.shape[1];
    const whole = this.predicted.length === 1 && !this.options.biasPred;
    let u = x;
    this.predicted.forEach((layer, idx) => {
      const { in: nin, out, offset } = layer;
      const nw = out * nin;
      const wBlock = whole ? last.weight : tf.slice(last.weight, [0, offset], [K, nw]);
      // Row k·out + o of A is row o of A_k: u·Aᵀ gives (B, K·out) = every A_k u at once.
      const A = tf.reshape(wBlock, [K * out, nin]);
      const all = tf.reshape(matMulFast(u, A as tf.Tensor2D, false, true), [B, K, out]);
      let y = tf.sum<tf.Tensor2D>(tf.mul(all, tf.reshape(c, [B, K, 1])), 1);
      if (last.bias) {
        const b0 = tf.reshape(whole ? last.bias : tf.slice(last.bias, [offset], [nw]), [out, nin]);
        y = tf.add(y, matMulFast(u, b0 as tf.Tensor2D, false, true));
      }
      if (this.options.biasPred) {
        let bias = matMulFast(c, tf.slice(last.weight, [0, offset + nw], [K, out]));
        if (last.bias) bias = tf.add(bias, tf.slice(last.bias, [offset + nw], [out]));
        y = tf.add(y, bias);
      }
      u = idx + 1 < this.predicted.length && this.options.predictorRelu ? tf.relu(y) : y;
    });
    return u;
  }

  private applyGeneral(x: tf.Tensor2D, z: tf.Tensor2D): tf.Tensor2D {
    const params = this.hypernet.apply(z); // (B, P)
    const B = x.shape[0];
    let u = x;
    this.predicted.forEach((layer, idx) => {
      const { in: nin, out, offset } = layer;
      const nw = out * nin;
      const W = tf.reshape(tf.slice(params, [0, offset], [B, nw]), [B, out, nin]);
      let y = tf.reshape<tf.Rank.R2>(tf.matMul(W, tf.reshape(u, [B, nin, 1])), [B, out]);
      if (this.options.biasPred) y = tf.add(y, tf.slice(params, [0, offset + nw], [B, out]));
      u = idx + 1 < this.predicted.length && this.options.predictorRelu ? tf.relu(y) : y;
    });
    return u;
  }

  protected get network(): SequentialHead {
    return this.hypernet;
  }
}
