import { sieProjectorSpecs } from '@equilab/contracts';
import * as tf from '@tensorflow/tfjs-core';
import { createAugSelfHead } from '../heads/augself.head';
import { createPredictor } from '../heads/predictor.factory';
import type { PredictorHead } from '../heads/predictor.head';
import { createProjector } from '../heads/projector.head';
import type { SequentialHead } from '../heads/sequential.head';
import type { EvalDims, Module } from '../types';
import { lastWidth, splitColumns, type MethodBuildContext } from './method.context';

/**
 * The head layouts of the methods (contracts `MethodHeads`): which projectors and predictor sit on the backbone
 * representation h, in checkpoint order (heads are created — and seeded — in the order listed). A method is a
 * layout plus its family's pure loss (sie/vicreg/simclr.method.ts).
 */
export interface HeadLayout {
  readonly evalDims: EvalDims;
  /** The heads, in checkpoint order. */
  readonly modules: readonly Module[];
  /** Whether the layout reads z (a predictor or an AugSelf head): its width is then checked. */
  readonly usesLatent: boolean;
  /** The equivariant projector and predictor (spec §7.4), for layouts that have them. */
  readonly equivariant: EquivariantHeads | null;
}

/** emb = projector(h[:, −inputDims:]), ŷ = predictor(emb, z): the equivariant path of a method. */
export interface EquivariantHeads {
  readonly projector: SequentialHead;
  readonly predictor: PredictorHead;
  readonly inputDims: number;
}

/** Embeddings of both views through an invariant and an equivariant projector, and the prediction of y_e. */
export interface TwoProjectorOutputs {
  readonly xi: tf.Tensor2D;
  readonly yi: tf.Tensor2D;
  readonly xe: tf.Tensor2D;
  readonly ye: tf.Tensor2D;
  readonly prediction: tf.Tensor2D;
}

/** Two projectors and a predictor on the equivariant embedding (`split` and `equimod`). */
abstract class TwoProjectorHeads implements HeadLayout {
  abstract readonly evalDims: EvalDims;
  readonly usesLatent = true;
  abstract readonly projectorInv: SequentialHead;
  abstract readonly projectorEqui: SequentialHead;
  abstract readonly predictor: PredictorHead;
  abstract readonly equivariant: EquivariantHeads;

  get modules(): readonly Module[] {
    return [this.projectorInv, this.projectorEqui, this.predictor];
  }

  /** The invariant projector on (xInv, yInv), the equivariant one on (xEq, yEq), Ŷ = Pred(x_e, z). */
  protected project(xInv: tf.Tensor2D, yInv: tf.Tensor2D, xEq: tf.Tensor2D, yEq: tf.Tensor2D, z: tf.Tensor2D): TwoProjectorOutputs {
    const xi = this.projectorInv.apply(xInv);
    const yi = this.projectorInv.apply(yInv);
    const xe = this.projectorEqui.apply(xEq);
    const ye = this.projectorEqui.apply(yEq);
    return { xi, yi, xe, ye, prediction: this.predictor.apply(xe, z) };
  }
}

/** `split` (SIE): projector_inv on h[:, :D − equi], projector_equi on h[:, D − equi:] (equivariant part LAST), predictor. */
export class SplitHeads extends TwoProjectorHeads {
  readonly evalDims: EvalDims;
  readonly projectorInv: SequentialHead;
  readonly projectorEqui: SequentialHead;
  readonly predictor: PredictorHead;
  readonly equivariant: EquivariantHeads;
  private readonly invDims: number;

  constructor(ctx: MethodBuildContext) {
    super();
    const { options: o, reprSize: D } = ctx;
    if (!(o.equi >= 1 && o.equi < D))
      throw new Error(`equi: must be between 1 and the representation width ${D} − 1, got ${o.equi}`);
    const specs = sieProjectorSpecs(o.mlp, D, o.equi);
    if ([...specs.inv, ...specs.equi].some((w) => w < 1))
      throw new Error(
        `equi: ${o.equi} of ${D} splits mlp "${o.mlp}" into empty layers (${specs.inv.join('-')} / ${specs.equi.join('-')})`,
      );
    this.invDims = D - o.equi;
    this.projectorInv = createProjector('projector_inv', D - o.equi, specs.inv, ctx.seeds);
    this.projectorEqui = createProjector('projector_equi', o.equi, specs.equi, ctx.seeds);
    const eEqui = lastWidth(specs.equi);
    this.predictor = createPredictor(o, eEqui, ctx.latentDim, ctx.seeds);
    this.evalDims = { invRepr: D - o.equi, equiRepr: o.equi, invEmb: lastWidth(specs.inv), equiEmb: eEqui };
    this.equivariant = { projector: this.projectorEqui, predictor: this.predictor, inputDims: o.equi };
  }

  apply(hx: tf.Tensor2D, hy: tf.Tensor2D, z: tf.Tensor2D): TwoProjectorOutputs {
    const [hxInv, hxEq] = splitColumns(hx, this.invDims);
    const [hyInv, hyEq] = splitColumns(hy, this.invDims);
    return this.project(hxInv, hyInv, hxEq, hyEq, z);
  }
}

/** `equimod`: projector_inv and projector_equi both on the whole h, predictor on the equivariant embedding. */
export class EquiModHeads extends TwoProjectorHeads {
  readonly evalDims: EvalDims;
  readonly projectorInv: SequentialHead;
  readonly projectorEqui: SequentialHead;
  readonly predictor: PredictorHead;
  readonly equivariant: EquivariantHeads;

  constructor(ctx: MethodBuildContext) {
    super();
    const { options: o, reprSize: D } = ctx;
    this.projectorInv = createProjector('projector_inv', D, o.mlp, ctx.seeds);
    this.projectorEqui = createProjector('projector_equi', D, o.mlp, ctx.seeds);
    const E = this.projectorEqui.outDim;
    this.predictor = createPredictor(o, E, ctx.latentDim, ctx.seeds);
    this.evalDims = { invRepr: 0, equiRepr: D, invEmb: E, equiEmb: E };
    this.equivariant = { projector: this.projectorEqui, predictor: this.predictor, inputDims: D };
  }

  apply(hx: tf.Tensor2D, hy: tf.Tensor2D, z: tf.Tensor2D): TwoProjectorOutputs {
    return this.project(hx, hy, hx, hy, z);
  }
}

/** `projector`: one projector on h. */
export class ProjectorHeads implements HeadLayout {
  readonly evalDims: EvalDims;
  readonly usesLatent = false;
  readonly projector: SequentialHead;
  readonly equivariant = null;

  constructor(ctx: MethodBuildContext) {
    this.projector = createProjector('projector', ctx.reprSize, ctx.options.mlp, ctx.seeds);
    this.evalDims = { invRepr: ctx.reprSize, equiRepr: 0, invEmb: this.projector.outDim, equiEmb: 0 };
  }

  get modules(): readonly Module[] {
    return [this.projector];
  }

  apply(hx: tf.Tensor2D, hy: tf.Tensor2D): { x: tf.Tensor2D; y: tf.Tensor2D } {
    return { x: this.projector.apply(hx), y: this.projector.apply(hy) };
  }
}

/** `equi-projector`: one projector on h (checkpoint name `projector_equi`) and a predictor: ŷ = Pred(p(x), z). */
export class EquiProjectorHeads implements HeadLayout {
  readonly evalDims: EvalDims;
  readonly usesLatent = true;
  readonly projector: SequentialHead;
  readonly predictor: PredictorHead;
  readonly equivariant: EquivariantHeads;

  constructor(ctx: MethodBuildContext) {
    const D = ctx.reprSize;
    this.projector = createProjector('projector_equi', D, ctx.options.mlp, ctx.seeds);
    const E = this.projector.outDim;
    this.predictor = createPredictor(ctx.options, E, ctx.latentDim, ctx.seeds);
    this.evalDims = { invRepr: 0, equiRepr: D, invEmb: 0, equiEmb: E };
    this.equivariant = { projector: this.projector, predictor: this.predictor, inputDims: D };
  }

  get modules(): readonly Module[] {
    return [this.projector, this.predictor];
  }

  apply(hx: tf.Tensor2D, hy: tf.Tensor2D, z: tf.Tensor2D): { x: tf.Tensor2D; y: tf.Tensor2D; prediction: tf.Tensor2D } {
    const x = this.projector.apply(hx);
    const y = this.projector.apply(hy);
    return { x, y, prediction: this.predictor.apply(x, z) };
  }
}

/** `augself`: one projector on h and an AugSelf head regressing z from [h_x, h_y] (its gradient reaches h). */
export class AugSelfHeads implements HeadLayout {
  readonly evalDims: EvalDims;
  readonly usesLatent = true;
  readonly projector: SequentialHead;
  readonly augselfHead: SequentialHead;
  readonly equivariant = null;

  constructor(ctx: MethodBuildContext) {
    this.projector = createProjector('projector', ctx.reprSize, ctx.options.mlp, ctx.seeds);
    this.augselfHead = createAugSelfHead('augself_head', ctx.reprSize, ctx.latentDim, ctx.seeds);
    this.evalDims = { invRepr: ctx.reprSize, equiRepr: 0, invEmb: this.projector.outDim, equiEmb: 0 };
  }

  get modules(): readonly Module[] {
    return [this.projector, this.augselfHead];
  }

  apply(hx: tf.Tensor2D, hy: tf.Tensor2D): { x: tf.Tensor2D; y: tf.Tensor2D; latent: tf.Tensor2D } {
    return {
      x: this.projector.apply(hx),
      y: this.projector.apply(hy),
      latent: this.augselfHead.apply(tf.concat([hx, hy], 1)),
    };
  }
}
