import * as tf from '@tensorflow/tfjs-core';
import type { EvalDims, Module, ObjectiveInputs, ObjectiveOutput } from '../types';
import { createProjector } from '../heads/projector.head';
import { createPredictor } from '../heads/predictor.factory';
import type { PredictorHead } from '../heads/predictor.head';
import type { SequentialHead } from '../heads/sequential.head';
import { mseLoss } from '../losses/mse.loss';
import { covarianceLoss, varianceLoss } from '../losses/vicreg.loss';
import { HeadsMethodModel, weighted, type MethodBuildContext } from './method.context';

/**
 * VICReg: L = sim·mse(X, Y) + std·V(X, Y) + cov·Cov(X, Y) ÷ E. VICRegPartInv: the invariance only on the first
 * E − equi embedding dims (equi counts EMBEDDING dims there); V and Cov on all E dims.
 */
export class VicregMethod extends HeadsMethodModel {
  readonly evalDims: EvalDims;
  protected readonly usesLatent = false;
  readonly projector: SequentialHead;
  private readonly invDims: number;

  constructor(private readonly ctx: MethodBuildContext) {
    super(ctx);
    const { options: o, reprSize: D } = ctx;
    this.projector = createProjector('projector', D, o.mlp, ctx.seeds);
    const E = this.projector.outDim;
    if (ctx.name === 'VICRegPartInv') {
      if (!(o.equi >= 1 && o.equi < E))
        throw new Error(`equi: must be between 1 and the embedding width ${E} − 1, got ${o.equi}`);
      this.invDims = E - o.equi;
      this.evalDims = { invRepr: D, equiRepr: 0, invEmb: E - o.equi, equiEmb: o.equi };
    } else {
      this.invDims = E;
      this.evalDims = { invRepr: D, equiRepr: 0, invEmb: E, equiEmb: 0 };
    }
  }

  protected heads(): readonly Module[] {
    return [this.projector];
  }

  protected compute({ hx, hy }: ObjectiveInputs): ObjectiveOutput {
    const o = this.ctx.options;
    const X = this.projector.apply(hx);
    const Y = this.projector.apply(hy);
    const E = X.shape[1];
    const inv =
      this.invDims === E
        ? mseLoss(X, Y)
        : mseLoss(tf.slice(X, [0, 0], [-1, this.invDims]), tf.slice(Y, [0, 0], [-1, this.invDims]));
    const std = varianceLoss(X, Y);
    const cov = covarianceLoss(X, Y, o.batch_size);
    const loss = weighted([o.sim_coeff, inv], [o.std_coeff, std], [o.cov_coeff, cov]);
    return { loss, terms: { repr_loss_inv: inv, std_loss: std, cov_loss: cov }, embX: X, embY: Y };
  }
}

/**
 * VICRegEquiMod: L = [sim·mse(p_inv x, p_inv y) + std·V(inv) + cov·Cov(inv)] + λ·[sim·mse(Pred(p_eq x, z), p_eq y)
 * + std·V(eq) + cov·Cov(eq)]; V/Cov on each part separately (no cross terms, no Vpred); logged std/cov are the sums.
 */
export class VicregEquiModMethod extends HeadsMethodModel {
  readonly evalDims: EvalDims;
  protected readonly usesLatent = true;
  readonly projectorInv: SequentialHead;
  readonly projectorEqui: SequentialHead;
  readonly predictor: PredictorHead;

  constructor(private readonly ctx: MethodBuildContext) {
    super(ctx);
    const { options: o, reprSize: D } = ctx;
    this.projectorInv = createProjector('projector_inv', D, o.mlp, ctx.seeds);
    this.projectorEqui = createProjector('projector_equi', D, o.mlp, ctx.seeds);
    const E = this.projectorEqui.outDim;
    this.predictor = createPredictor(o, E, ctx.latentDim, ctx.seeds);
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
    const inv = mseLoss(xi, yi);
    const equi = mseLoss(prediction, ye);
    const stdInv = varianceLoss(xi, yi);
    const stdEq = varianceLoss(xe, ye);
    const covInv = covarianceLoss(xi, yi, o.batch_size);
    const covEq = covarianceLoss(xe, ye, o.batch_size);
    const invPart = weighted([o.sim_coeff, inv], [o.std_coeff, stdInv], [o.cov_coeff, covInv]);
    const eqPart = weighted([o.sim_coeff, equi], [o.std_coeff, stdEq], [o.cov_coeff, covEq]);
    const loss = tf.add<tf.Scalar>(invPart, tf.mul(eqPart, o.equi_factor));
    return {
      loss,
      terms: {
        repr_loss_inv: inv,
        repr_loss_equi: equi,
        std_loss: tf.add<tf.Scalar>(stdInv, stdEq),
        cov_loss: tf.add<tf.Scalar>(covInv, covEq),
      },
      embX: tf.concat([xi, xe], 1),
      embY: tf.concat([yi, ye], 1),
      prediction,
    };
  }
}
