import {
  methodCatalogue,
  methodOptionsSchema,
  type MethodName,
  type MethodOptions,
} from '@equilab/contracts';
import * as tf from '@tensorflow/tfjs-core';
import type { EvalDims, MethodModel, NamedVariable, ObjectiveInputs, ObjectiveOutput } from '../types';
import type { EquivariantHeads, HeadLayout } from './method.heads';
import { SeedStream } from '../heads/seed.stream';

/** Every option (defaults for those the method does not take), so builders read one flat, typed object. */
const ALL_DEFAULTS: MethodOptions = methodOptionsSchema.parse({});

export interface MethodBuildContext {
  readonly name: MethodName;
  readonly options: MethodOptions;
  /** Backbone representation width D. */
  readonly reprSize: number;
  readonly latentDim: 4 | 6;
  readonly seeds: SeedStream;
}

export function methodBuildContext(
  name: MethodName,
  config: Partial<MethodOptions>,
  reprSize: number,
  seed: number,
): MethodBuildContext {
  if (!Number.isInteger(reprSize) || reprSize < 1)
    throw new Error(`reprSize: must be a positive integer, got ${reprSize}`);
  const options: MethodOptions = { ...ALL_DEFAULTS, ...config };
  return {
    name,
    options,
    reprSize,
    latentDim: methodCatalogue[name].latentDim,
    seeds: new SeedStream(seed),
  };
}

/** Last width of a layer spec. */
export function lastWidth(widths: readonly number[]): number {
  const w = widths[widths.length - 1];
  if (w === undefined) throw new Error('mlp: the spec needs at least one width');
  return w;
}

/**
 * A method's model: its head layout (method.heads.ts, in checkpoint order) and its family's pure loss.
 * `objective` validates the input shapes and calls `compute`; batch-norm running statistics of the projectors are
 * updated as a side effect (PyTorch train-mode semantics, off the loss path).
 */
export abstract class HeadsMethodModel<L extends HeadLayout = HeadLayout> implements MethodModel {
  readonly method: MethodName;
  readonly latentDim: number;
  readonly reprSize: number;
  readonly evalDims: EvalDims;
  readonly options: MethodOptions;

  protected constructor(
    ctx: MethodBuildContext,
    readonly heads: L,
    evalDims: EvalDims = heads.evalDims,
  ) {
    this.method = ctx.name;
    this.latentDim = ctx.latentDim;
    this.reprSize = ctx.reprSize;
    this.options = ctx.options;
    this.evalDims = evalDims;
  }

  get equivariant(): EquivariantHeads | null {
    return this.heads.equivariant;
  }

  protected abstract compute(inputs: ObjectiveInputs): ObjectiveOutput;

  objective(inputs: ObjectiveInputs): ObjectiveOutput {
    const { hx, hy, z } = inputs;
    const expect = `[B, ${this.reprSize}]`;
    if (hx.rank !== 2 || hx.shape[1] !== this.reprSize)
      throw new Error(`${this.method}: hx must have shape ${expect}, got [${hx.shape.join(', ')}]`);
    if (hy.rank !== 2 || hy.shape[0] !== hx.shape[0] || hy.shape[1] !== this.reprSize)
      throw new Error(
        `${this.method}: hy must have the shape of hx [${hx.shape.join(', ')}], got [${hy.shape.join(', ')}]`,
      );
    if (this.heads.usesLatent && (z.rank !== 2 || z.shape[0] !== hx.shape[0] || z.shape[1] !== this.latentDim))
      throw new Error(
        `${this.method}: z must have shape [${hx.shape[0]}, ${this.latentDim}]` +
          (this.latentDim === 6
            ? ' (quaternion + Δfloor hue + Δlight hue: latent mode rotcolor)'
            : ' (quaternion)') +
          `, got [${z.shape.join(', ')}]`,
      );
    return this.compute(inputs);
  }

  parameters(): NamedVariable[] {
    return this.heads.modules.flatMap((h) => h.parameters());
  }

  buffers(): NamedVariable[] {
    return this.heads.modules.flatMap((h) => h.buffers());
  }

  dispose(): void {
    for (const h of this.heads.modules) h.dispose();
  }
}

/** The first `n` columns of a (B, D) tensor, and the rest. */
export function splitColumns(h: tf.Tensor2D, n: number): [tf.Tensor2D, tf.Tensor2D] {
  const d = h.shape[1];
  return [tf.slice(h, [0, 0], [-1, n]), tf.slice(h, [0, n], [-1, d - n])];
}

export function weighted(...terms: [number, tf.Scalar][]): tf.Scalar {
  return tf.addN(terms.map(([w, t]) => tf.mul(t, w))) as tf.Scalar;
}
