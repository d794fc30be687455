import * as tf from '@tensorflow/tfjs-core';
import type { Backbone, NamedVariable } from '../types';
import { conv2d, type Padding4 } from '../ops/conv2d.op';
import { reluOut } from '../ops/batch-norm.op';
import { BatchNormLayer, ownedVariable } from './batch-norm.layer';

export interface Resnet18Options {
  /** Channel multiplier: stage widths are round(64·w), round(128·w), round(256·w), round(512·w). Default 1. */
  readonly widthMultiplier?: number;
  /** Seed of the Kaiming-normal initialisation (default 0). */
  readonly seed?: number;
  /**
   * Compute the gradient with respect to the input images (default false: it is the most expensive input
   * gradient of the network and training never needs it; asking for it then fails loudly).
   */
  readonly inputGradient?: boolean;
}

/** Stage widths for a width multiplier (at least one channel each). */
export function resnet18Channels(widthMultiplier: number): [number, number, number, number] {
  const c = (n: number) => Math.max(1, Math.round(n * widthMultiplier));
  return [c(64), c(128), c(256), c(512)];
}

class ConvLayer {
  readonly weight: tf.Variable<tf.Rank.R4>;

  constructor(
    readonly name: string,
    readonly k: number,
    readonly cin: number,
    readonly cout: number,
    readonly stride: number,
    readonly pad: Padding4,
    seed: number,
  ) {
    // Kaiming normal, mode fan_out, ReLU gain: std = √(2 / (k·k·cout)).
    const std = Math.sqrt(2 / (k * k * cout));
    this.weight = ownedVariable(tf.randomNormal([k, k, cin, cout], 0, std, 'float32', seed), true);
  }

  apply(x: tf.Tensor4D, inputGrad = true): tf.Tensor4D {
    return conv2d(x, this.weight, { stride: this.stride, pad: this.pad, inputGrad });
  }

  parameters(): NamedVariable[] {
    return [{ name: this.name, variable: this.weight }];
  }

  dispose(): void {
    this.weight.dispose();
  }
}

/** BasicBlock of the reference: the stride sits on the second 3×3 conv; optional 1×1 projection shortcut. */
class BasicBlock {
  readonly conv1: ConvLayer;
  readonly bn1: BatchNormLayer;
  readonly conv2: ConvLayer;
  readonly bn2: BatchNormLayer;
  readonly shortcut: { conv: ConvLayer; bn: BatchNormLayer } | null;

  constructor(name: string, cin: number, cout: number, stride: number, projection: boolean, seed: number) {
    this.conv1 = new ConvLayer(`${name}.conv1`, 3, cin, cout, 1, [1, 1, 1, 1], seed);
    this.bn1 = new BatchNormLayer(`${name}.bn1`, cout);
    // Stride 2: zero-pad right/bottom by one ("TF-SAME"), then an unpadded conv.
    const pad2: Padding4 = stride === 2 ? [0, 1, 0, 1] : [1, 1, 1, 1];
    this.conv2 = new ConvLayer(`${name}.conv2`, 3, cout, cout, stride, pad2, seed + 1);
    this.bn2 = new BatchNormLayer(`${name}.bn2`, cout, true); // zero_init_residual
    this.shortcut = projection
      ? {
          conv: new ConvLayer(`${name}.shortcut.conv`, 1, cin, cout, stride, [0, 0, 0, 0], seed + 2),
          bn: new BatchNormLayer(`${name}.shortcut.bn`, cout),
        }
      : null;
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    const h = reluOut(this.bn1.apply(this.conv1.apply(x), training));
    const main = this.bn2.apply(this.conv2.apply(h), training);
    const skip = this.shortcut ? this.shortcut.bn.apply(this.shortcut.conv.apply(x), training) : x;
    return reluOut(tf.add(main, skip));
  }

  parameters(): NamedVariable[] {
    return [
      ...this.conv1.parameters(),
      ...this.bn1.parameters(),
      ...this.conv2.parameters(),
      ...this.bn2.parameters(),
      ...(this.shortcut ? [...this.shortcut.conv.parameters(), ...this.shortcut.bn.parameters()] : []),
    ];
  }

  buffers(): NamedVariable[] {
    return [...this.bn1.buffers(), ...this.bn2.buffers(), ...(this.shortcut ? this.shortcut.bn.buffers() : [])];
  }

  dispose(): void {
    this.conv1.dispose();
    this.bn1.dispose();
    this.conv2.dispose();
    this.bn2.dispose();
    this.shortcut?.conv.dispose();
    this.shortcut?.bn.dispose();
  }
}

/**
 * The modified ResNet-18 of the reference (spec §2): asymmetric-padded 7×7/2 stem, −1e4-padded 3×3/2 max-pool,
 * BasicBlocks with the stride on the second conv, a projection shortcut on the first block of every stage,
 * zero-initialised γ of each block's second BN, global average pooling and no fc. Input NHWC, sides multiples of 32.
 */
export class Resnet18Backbone implements Backbone {
  readonly outDim: number;
  readonly channels: readonly [number, number, number, number];
  private readonly stemConv: ConvLayer;
  private readonly stemBn: BatchNormLayer;
  private readonly blocks: { name: string; block: BasicBlock }[] = [];
  private readonly inputGradient: boolean;
  private disposed = false;

  constructor(options: Resnet18Options = {}) {
    const w = options.widthMultiplier ?? 1;
    if (!(Number.isFinite(w) && w > 0 && w <= 8))
      throw new Error(`widthMultiplier: must be a number in (0, 8], got ${String(w)}`);
    const seed = options.seed ?? 0;
    this.inputGradient = options.inputGradient ?? false;
    this.channels = resnet18Channels(w);
    this.outDim = this.channels[3];
    this.stemConv = new ConvLayer('stem.conv', 7, 3, this.channels[0], 2, [2, 3, 2, 3], seed);
    this.stemBn = new BatchNormLayer('stem.bn', this.channels[0]);
    let cin = this.channels[0];
    this.channels.forEach((cout, s) => {
      const stride = s === 0 ? 1 : 2;
      for (let b = 0; b < 2; b++) {
        const name = `layer${s + 1}.${b}`;
        const block = new BasicBlock(name, b === 0 ? cin : cout, cout, b === 0 ? stride : 1, b === 0, seed + 10 * (2 * s + b + 1));
        this.blocks.push({ name, block });
      }
      cin = cout;
    });
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor2D {
    if (this.disposed) throw new Error('Resnet18Backbone: used after dispose()');
    if (x.rank !== 4 || x.shape[3] !== 3) throw new Error(`input: expected an NHWC batch with 3 channels, got shape [${x.shape.join(', ')}]`);
    if (x.shape[1] % 32 !== 0 || x.shape[2] % 32 !== 0)
      throw new Error(`input: height and width must be multiples of 32, got ${x.shape[1]}×${x.shape[2]}`);
    return tf.tidy(() => {
      const stem = reluOut(this.stemBn.apply(this.stemConv.apply(x, this.inputGradient), training));
      // Pad right/bottom by one with −1e4, then a 3×3/2 max-pool: exactly TF-SAME pooling here (the extra row and
      // column go to the bottom/right and padded values never win against the non-negative ReLU output).
      let h = tf.maxPool(stem, 3, 2, 'same');
      for (const { block } of this.blocks) h = block.apply(h, training);
      return tf.mean<tf.Tensor2D>(h, [1, 2]);
    });
  }

  parameters(): NamedVariable[] {
    return [...this.stemConv.parameters(), ...this.stemBn.parameters(), ...this.blocks.flatMap(({ block }) => block.parameters())];
  }

  buffers(): NamedVariable[] {
    return [...this.stemBn.buffers(), ...this.blocks.flatMap(({ block }) => block.buffers())];
  }

  /** Number of trainable scalars (11,180,736 at width 1). */
  parameterCount(): number {
    return this.parameters().reduce((n, p) => n + p.variable.size, 0);
  }

  /**
   * Overwrites parameters and/or buffers by name (e.g. from a checkpoint). Unknown names and shape mismatches are
   * errors naming the entry; entries not given keep their value.
   */
  assign(values: Readonly<Record<string, tf.Tensor>>): void {
    const byName = new Map([...this.parameters(), ...this.buffers()].map((p) => [p.name, p.variable]));
    for (const [name, value] of Object.entries(values)) {
      const v = byName.get(name);
      if (!v) throw new Error(`${name}: not a parameter or buffer of the ResNet-18 backbone`);
      if (v.shape.join(',') !== value.shape.join(','))
        throw new Error(`${name}: shape [${value.shape.join(', ')}] does not match [${v.shape.join(', ')}]`);
      v.assign(value);
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stemConv.dispose();
    this.stemBn.dispose();
    for (const { block } of this.blocks) block.dispose();
  }
}

export function createResnet18(options: Resnet18Options = {}): Resnet18Backbone {
  return new Resnet18Backbone(options);
}
