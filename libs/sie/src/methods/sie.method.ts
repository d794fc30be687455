import { sieProjectorSpecs } from '@equilab/contracts';
import * as tf from '@tensorflow/tfjs-core';
import type { EvalDims, Module, ObjectiveInputs, ObjectiveOutput } from '../types';
import { createProjector } from '../heads/projector.head';
import { createPredictor } from '../heads/predictor.factory';
import type { PredictorHead } from '../heads/predictor.head';
import type { SequentialHead } from '../heads/sequential.head';
import { mseLoss } from '../losses/mse.loss';
import { covarianceLoss, predictorVarianceLoss, varianceLoss } from '../losses/vicreg.loss';
import {
  HeadsMethodModel,
  lastWidth,
  splitColumns,
  weighted,
  type MethodBuildContext,
} from './method.context';

/**
 * SIE, SIENoVar and SIERotColor (spec §4). h = [h_inv | h_equi] (equivariant part LAST, `equi` wide); X = [p_inv(x),
 * p_eq(x)]; I = mse(p_inv x, p_inv y); Ŷ = Pred(p_eq x, z); Q = mse(Ŷ, p_eq y);
 * L = sim·I + λ·sim·Q + std·V(X, Y) + std·Vpred(Ŷ) + cov·Cov(X, Y) (Cov ÷ E_inv + E_equi). SIENoVar drops Vpred;
 * SIERotColor feeds the 6-D latent to the predictor.
 */
export class SieMethod extends HeadsMethodModel {
  readonly evalDims: EvalDims;
  protected readonly usesLatent = true;
  readonly projectorInv: SequentialHead;
  readonly projectorEqui: SequentialHead;
  readonly predictor: PredictorHead;
  private readonly equi: number;

  constructor(private readonly ctx: MethodBuildContext) {
    super(ctx);
    const { options: o, reprSize: D } = ctx;
    if (!(o.equi >= 1 && o.equi < D))
      throw new Error(`equi: must be between 1 and the representation width ${D} − 1, got ${o.equi}`);
    this.equi = o.equi;
    const specs = sieProjectorSpecs(o.mlp, D, o.equi);
    if ([...specs.inv, ...specs.equi].some((w) => w < 1))
      throw new Error(
        `equi: ${o.equi} of ${D} splits mlp "${o.mlp}" into empty layers (${specs.inv.join('-')} / ${specs.equi.join('-')})`,
      );
    this.projectorInv = createProjector('projector_inv', D - o.equi, specs.inv, ctx.seeds);
    this.projectorEqui = createProjector('projector_equi', o.equi, specs.equi, ctx.seeds);
    const eInv = lastWidth(specs.inv);
    const eEqui = lastWidth(specs.equi);
    this.predictor = createPredictor(o, eEqui, ctx.latentDim, ctx.seeds);
    this.evalDims = { invRepr: D - o.equi, equiRepr: o.equi, invEmb: eInv, equiEmb: eEqui };
  }

  protected heads(): readonly Module[] {
    return [this.projectorInv, this.projectorEqui, this.predictor];
  }

  protected compute({ hx, hy, z }: ObjectiveInputs): ObjectiveOutput {
    const o = this.ctx.options;
    const split = this.reprSize - this.equi;
    const [hxInv, hxEq] = splitColumns(hx, split);
    const [hyInv, hyEq] = splitColumns(hy, split);
    const xi = this.projectorInv.apply(hxInv);
    const yi = this.projectorInv.apply(hyInv);
    const xe = this.projectorEqui.apply(hxEq);
    const ye = this.projectorEqui.apply(hyEq);
    const prediction = this.predictor.apply(xe, z);
    const X = tf.concat([xi, xe], 1);
    const Y = tf.concat([yi, ye], 1);
    const inv = mseLoss(xi, yi);
    const equi = mseLoss(prediction, ye);
    const std = varianceLoss(X, Y);
    const cov = covarianceLoss(X, Y, o.batch_size);
    const withPredStd = this.method !== 'SIENoVar';
    const predStd = withPredStd ? predictorVarianceLoss(prediction) : undefined;
    const loss = weighted(
      [o.sim_coeff, inv],
      [o.equi_factor * o.sim_coeff, equi],
      [o.std_coeff, std],
      [o.cov_coeff, cov],
      ...(predStd ? [[o.std_coeff, predStd] as [number, tf.Scalar]] : []),
    );
    return {
      loss,
      terms: {
        repr_loss_inv: inv,
        repr_loss_equi: equi,
        std_loss: std,
        cov_loss: cov,
        ...(predStd ? { pred_std_loss: predStd } : {}),
      },
      embX: X,
      embY: Y,
      prediction,
    };
  }
}

/**
 * SIEOnlyEqui: one projector p on the whole representation (checkpoint name `projector_equi`), Ŷ = Pred(p(x), z);
 * L = sim·Q + std·V + std·Vpred + cov·Cov (no λ, no invariance term: logged as 0).
 */
export class SieOnlyEquiMethod extends HeadsMethodModel {
  readonly evalDims: EvalDims;
  protected readonly usesLatent = true;
  readonly projector: SequentialHead;
  readonly predictor: PredictorHead;

  constructor(private readonly ctx: MethodBuildContext) {
    super(ctx);
    const { options: o, reprSize: D } = ctx;
    this.projector = createProjector('projector_equi', D, o.mlp, ctx.seeds);
    const E = this.projector.outDim;
    this.predictor = createPredictor(o, E, ctx.latentDim, ctx.seeds);
    this.evalDims = { invRepr: 0, equiRepr: D, invEmb: 0, equiEmb: E };
  }

  protected heads(): readonly Module[] {
    return [this.projector, this.predictor];
  }

  protected compute({ hx, hy, z }: ObjectiveInputs): ObjectiveOutput {
    const o = this.ctx.options;
    const X = this.projector.apply(hx);
    const Y = this.projector.apply(hy);
    const prediction = this.predictor.apply(X, z);
    const equi = mseLoss(prediction, Y);
    const std = varianceLoss(X, Y);
    const cov = covarianceLoss(X, Y, o.batch_size);
    const predStd = predictorVarianceLoss(prediction);
    const loss = weighted(
      [o.sim_coeff, equi],
      [o.std_coeff, std],
      [o.std_coeff, predStd],
      [o.cov_coeff, cov],
    );
    return {
      loss,
      terms: {
        repr_loss_inv: tf.scalar(0),
        repr_loss_equi: equi,
        std_loss: std,
        cov_loss: cov,
        pred_std_loss: predStd,
      },
      embX: X,
      embY: Y,
      prediction,
    };
  }
}
