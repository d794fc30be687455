import * as tf from '@tensorflow/tfjs-core';
import type { EvalDims, Module, ObjectiveInputs, ObjectiveOutput } from '../types';
import { createAugSelfHead } from '../heads/augself.head';
import { createProjector } from '../heads/projector.head';
import { createPredictor } from '../heads/predictor.factory';
import type { PredictorHead } from '../heads/predictor.head';
import type { SequentialHead } from '../heads/sequential.head';
import { infoNceLoss } from '../losses/info-nce.loss';
import { mseLoss } from '../losses/mse.loss';
import { HeadsMethodModel, type MethodBuildContext } from './method.context';

/** SimCLR: L = NCE(p(x), p(y)). */
export class SimclrMethod extends HeadsMethodModel {
  readonly evalDims: EvalDims;
  protected readonly usesLatent = false;
  readonly projector: SequentialHead;

  constructor(private readonly ctx: MethodBuildContext) {
    super(ctx);
    this.projector = createProjector('projector', ctx.reprSize, ctx.options.mlp, ctx.seeds);
    this.evalDims = { invRepr: ctx.reprSize, equiRepr: 0, invEmb: this.projector.outDim, equiEmb: 0 };
  }

  protected heads(): readonly Module[] {
    return [this.projector];
  }

  protected compute({ hx, hy }: ObjectiveInputs): ObjectiveOutput {
    const X = this.projector.apply(hx);
    const Y = this.projector.apply(hy);
    return { loss: infoNceLoss(X, Y, this.ctx.options.simclr_temp), terms: {}, embX: X, embY: Y };
  }
}

/**
 * SimCLR + AugSelf (and RotColor): L = NCE(p(x), p(y)) + ec·mse(head([h_x, h_y]), z) — the head regresses the
 * whole latent (4-D, or 6-D for RotColor) and its gradient reaches the backbone. Logged as inv = NCE, equi = MSE.
 */
export class SimclrAugSelfMethod extends HeadsMethodModel {
  readonly evalDims: EvalDims;
  protected readonly usesLatent = true;
  readonly projector: SequentialHead;
  readonly augselfHead: SequentialHead;

  constructor(private readonly ctx: MethodBuildContext) {
    super(ctx);
    this.projector = createProjector('projector', ctx.reprSize, ctx.options.mlp, ctx.seeds);
    this.augselfHead = createAugSelfHead('augself_head', ctx.reprSize, ctx.latentDim, ctx.seeds);
    this.evalDims = { invRepr: ctx.reprSize, equiRepr: 0, invEmb: this.projector.outDim, equiEmb: 0 };
  }

  protected heads(): readonly Module[] {
    return [this.projector, this.augselfHead];
  }

  protected compute({ hx, hy, z }: ObjectiveInputs): ObjectiveOutput {
    const o = this.ctx.options;
    const X = this.projector.apply(hx);
    const Y = this.projector.apply(hy);
    const inv = infoNceLoss(X, Y, o.simclr_temp);
    const latent = this.augselfHead.apply(tf.concat([hx, hy], 1));
    const equi = mseLoss(latent, z);
    const loss = tf.add<tf.Scalar>(inv, tf.mul(equi, o.ec_weight));
    // No `prediction`: the AugSelf head regresses z, it is not an embedding predictor (no predictor stats).
    return { loss, terms: { repr_loss_inv: inv, repr_loss_equi: equi }, embX: X, embY: Y };
  }
}

/** SimCLROnlyEqui (and RotColor): L = NCE(Pred(p(x), z), p(y)); the projector is named `projector_equi`. */
export class SimclrOnlyEquiMethod extends HeadsMethodModel {
  readonly evalDims: EvalDims;
  protected readonly usesLatent = true;
  readonly projector: SequentialHead;
  readonly predictor: PredictorHead;

  constructor(private readonly ctx: MethodBuildContext) {
    super(ctx);
    this.projector = createProjector('projector_equi', ctx.reprSize, ctx.options.mlp, ctx.seeds);
    const E = this.projector.outDim;
    this.predictor = createPredictor(ctx.options, E, ctx.latentDim, ctx.seeds);
    this.evalDims = { invRepr: 0, equiRepr: ctx.reprSize, invEmb: 0, equiEmb: E };
  }

  protected heads(): readonly Module[] {
    return [this.projector, this.predictor];
  }

  protected compute({ hx, hy, z }: ObjectiveInputs): ObjectiveOutput {
    const X = this.projector.apply(hx);
    const Y = this.projector.apply(hy);
    const prediction = this.predictor.apply(X, z);
    return {
      loss: infoNceLoss(prediction, Y, this.ctx.options.simclr_temp),
      terms: {},
      embX: X,
      embY: Y,
      prediction,
    };
  }
}

/**
 * SimCLREquiMod (and RotColor): L = NCE(p_inv x, p_inv y) + λ·NCE(Pred(p_eq x, z), p_eq y), both projectors on the
 * whole representation. The RotColor variant ignores λ (weight 1), as the reference does.
 */
export class SimclrEquiModMethod extends HeadsMethodModel {
  readonly evalDims: EvalDims;
  protected readonly usesLatent = true;
  readonly projectorInv: SequentialHead;
  readonly projectorEqui: SequentialHead;
  readonly predictor: PredictorHead;

  constructor(private readonly ctx: MethodBuildContext) {
    super(ctx);
    const D = ctx.reprSize;
    this.projectorInv = createProjector('projector_inv', D, ctx.options.mlp, ctx.seeds);
    this.projectorEqui = createProjector('projector_equi', D, ctx.options.mlp, ctx.seeds);
    const E = this.projectorEqui.outDim;
    this.predictor = createPredictor(ctx.options, E, ctx.latentDim, ctx.seeds);
    this.evalDims = { invRepr: 0, equiRepr: D, invEmb: E, equiEmb: E };
  }

  protected heads(): readonly Module[] {
    return [this.projectorInv, this.projectorEqui, this.predictor];
  }

  protected compute({ hx, hy, z }: ObjectiveInputs): ObjectiveOutput {
    const o = this.ctx.options;
    const xi = this.projectorInv.apply(hx);
    const yi = this.projectorInv.apply(hy);
    const xe = this.projectorEqui.apply(hx);
    const ye = this.projectorEqui.apply(hy);
    const prediction = this.predictor.apply(xe, z);
    const inv = infoNceLoss(xi, yi, o.simclr_temp);
    const equi = infoNceLoss(prediction, ye, o.simclr_temp);
    const lambda = this.method === 'SimCLREquiModRotColor' ? 1 : o.equi_factor;
    const loss = tf.add<tf.Scalar>(inv, tf.mul(equi, lambda));
    return {
      loss,
      terms: { repr_loss_inv: inv, repr_loss_equi: equi },
      embX: tf.concat([xi, xe], 1),
      embY: tf.concat([yi, ye], 1),
      prediction,
    };
  }
}
