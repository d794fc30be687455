import { methodCatalogue, type MethodOptions } from '@equilab/contracts';
import * as tf from '@tensorflow/tfjs-core';
import { mseLoss } from '../losses/mse.loss';
import { covarianceLoss, predictorVarianceLoss, varianceLoss } from '../losses/vicreg.loss';
import type { LossTerm, ObjectiveInputs, ObjectiveOutput } from '../types';
import { HeadsMethodModel, weighted, type MethodBuildContext } from './method.context';
import { EquiProjectorHeads, SplitHeads, type TwoProjectorOutputs } from './method.heads';

/** The SIE family (spec §4): SIE, SIENoVar, SIERotColor on the `split` heads, SIEOnlyEqui on `equi-projector`. */

type Terms = Partial<Record<LossTerm, tf.Scalar>>;

/**
 * SIE loss on the split embeddings: X = [x_i | x_e]; I = mse(x_i, y_i); Q = mse(Ŷ, y_e);
 * L = sim·I + λ·sim·Q + std·V(X, Y) + cov·Cov(X, Y) (+ std·Vpred(Ŷ) with `predictorVariance`; Cov ÷ E_inv + E_equi).
 */
export function sieLoss(
  e: TwoProjectorOutputs,
  X: tf.Tensor2D,
  Y: tf.Tensor2D,
  o: MethodOptions,
  predictorVariance: boolean,
): { loss: tf.Scalar; terms: Terms } {
  const inv = mseLoss(e.xi, e.yi);
  const equi = mseLoss(e.prediction, e.ye);
  const std = varianceLoss(X, Y);
  const cov = covarianceLoss(X, Y, o.batch_size);
  const predStd = predictorVariance ? predictorVarianceLoss(e.prediction) : undefined;
  const loss = weighted(
    [o.sim_coeff, inv],
    [o.equi_factor * o.sim_coeff, equi],
    [o.std_coeff, std],
    [o.cov_coeff, cov],
    ...(predStd ? [[o.std_coeff, predStd] as [number, tf.Scalar]] : []),
  );
  return {
    loss,
    terms: { repr_loss_inv: inv, repr_loss_equi: equi, std_loss: std, cov_loss: cov, ...(predStd ? { pred_std_loss: predStd } : {}) },
  };
}

/** SIEOnlyEqui loss: L = sim·mse(Ŷ, Y) + std·V + std·Vpred + cov·Cov (no λ, no invariance term: logged as 0). */
export function sieOnlyEquiLoss(
  X: tf.Tensor2D,
  Y: tf.Tensor2D,
  prediction: tf.Tensor2D,
  o: MethodOptions,
): { loss: tf.Scalar; terms: Terms } {
  const equi = mseLoss(prediction, Y);
  const std = varianceLoss(X, Y);
  const cov = covarianceLoss(X, Y, o.batch_size);
  const predStd = predictorVarianceLoss(prediction);
  const loss = weighted([o.sim_coeff, equi], [o.std_coeff, std], [o.std_coeff, predStd], [o.cov_coeff, cov]);
  return {
    loss,
    terms: { repr_loss_inv: tf.scalar(0), repr_loss_equi: equi, std_loss: std, cov_loss: cov, pred_std_loss: predStd },
  };
}

/** SIE, SIENoVar (no predictor variance: its catalogue terms lack `pred_std_loss`), SIERotColor (6-D latent). */
export class SieMethod extends HeadsMethodModel<SplitHeads> {
  private readonly predictorVariance: boolean;

  constructor(ctx: MethodBuildContext) {
    super(ctx, new SplitHeads(ctx));
    this.predictorVariance = methodCatalogue[ctx.name].terms.includes('pred_std_loss');
  }

  protected compute({ hx, hy, z }: ObjectiveInputs): ObjectiveOutput {
    const e = this.heads.apply(hx, hy, z);
    const X = tf.concat([e.xi, e.xe], 1);
    const Y = tf.concat([e.yi, e.ye], 1);
    return { ...sieLoss(e, X, Y, this.options, this.predictorVariance), embX: X, embY: Y, prediction: e.prediction };
  }
}

export class SieOnlyEquiMethod extends HeadsMethodModel<EquiProjectorHeads> {
  constructor(ctx: MethodBuildContext) {
    super(ctx, new EquiProjectorHeads(ctx));
  }

  protected compute({ hx, hy, z }: ObjectiveInputs): ObjectiveOutput {
    const { x, y, prediction } = this.heads.apply(hx, hy, z);
    return { ...sieOnlyEquiLoss(x, y, prediction, this.options), embX: x, embY: y, prediction };
  }
}
