import * as tf from '@tensorflow/tfjs-core';
import type { Module, NamedVariable } from '../types';
import { BatchNormLayer } from '../backbone/batch-norm.layer';
import { LinearLayer } from './linear.layer';
import type { SeedStream } from './seed.stream';

/** One layer of a head: the layer kinds of the golden files (linear, batchnorm, relu). */
export type HeadLayer =
  | { readonly kind: 'linear'; readonly layer: LinearLayer }
  | { readonly kind: 'batchnorm'; readonly layer: BatchNormLayer }
  | { readonly kind: 'relu' };

/** Layer spec used to build a head. */
export type HeadLayerSpec =
  | { readonly kind: 'linear'; readonly in: number; readonly out: number; readonly bias: boolean }
  | { readonly kind: 'batchnorm'; readonly channels: number }
  | { readonly kind: 'relu' };

/**
 * A feed-forward head: an ordered list of layers named `<prefix>.<index>` like a PyTorch `nn.Sequential`
 * (`projector.0.weight`, `projector.1.gamma`, …). Batch norm uses batch statistics and updates its running
 * statistics in training mode, running statistics otherwise.
 */
export class SequentialHead implements Module {
  readonly layers: readonly HeadLayer[];

  constructor(
    readonly name: string,
    specs: readonly HeadLayerSpec[],
    seeds: SeedStream,
  ) {
    this.layers = specs.map((s, i): HeadLayer => {
      const layerName = `${name}.${i}`;
      switch (s.kind) {
        case 'linear':
          return { kind: 'linear', layer: new LinearLayer(layerName, s.in, s.out, s.bias, seeds.next()) };
        case 'batchnorm':
          return { kind: 'batchnorm', layer: new BatchNormLayer(layerName, s.channels) };
        case 'relu':
          return { kind: 'relu' };
      }
    });
  }

  get inDim(): number {
    const first = this.layers.find((l) => l.kind === 'linear');
    return first?.kind === 'linear' ? first.layer.inDim : 0;
  }

  get outDim(): number {
    const last = [...this.layers].reverse().find((l) => l.kind === 'linear');
    return last?.kind === 'linear' ? last.layer.outDim : 0;
  }

  apply(x: tf.Tensor2D, training = true): tf.Tensor2D {
    let u = x;
    for (const l of this.layers) {
      if (l.kind === 'linear') u = l.layer.apply(u);
      else if (l.kind === 'batchnorm') u = l.layer.apply(u, training);
      else u = tf.relu(u);
    }
    return u;
  }

  parameters(): NamedVariable[] {
    return this.layers.flatMap((l) => (l.kind === 'relu' ? [] : l.layer.parameters()));
  }

  buffers(): NamedVariable[] {
    return this.layers.flatMap((l) => (l.kind === 'batchnorm' ? l.layer.buffers() : []));
  }

  dispose(): void {
    for (const l of this.layers) if (l.kind !== 'relu') l.layer.dispose();
  }
}

/** Linear layers with ReLU between them (no batch norm), every layer with bias: [d0→d1, ReLU, d1→d2, …]. */
export function mlpSpecs(widths: readonly number[]): HeadLayerSpec[] {
  const specs: HeadLayerSpec[] = [];
  for (let i = 0; i + 1 < widths.length; i++) {
    if (i > 0) specs.push({ kind: 'relu' });
    specs.push({ kind: 'linear', in: widths[i] as number, out: widths[i + 1] as number, bias: true });
  }
  return specs;
}
