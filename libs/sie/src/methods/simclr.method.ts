import { methodCatalogue, type MethodOptions } from '@equilab/contracts';
import * as tf from '@tensorflow/tfjs-core';
import { infoNceLoss } from '../losses/info-nce.loss';
import { mseLoss } from '../losses/mse.loss';
import type { LossTerm, ObjectiveInputs, ObjectiveOutput } from '../types';
import { HeadsMethodModel, type MethodBuildContext } from './method.context';
import { AugSelfHeads, EquiModHeads, EquiProjectorHeads, ProjectorHeads, type TwoProjectorOutputs } from './method.heads';

/**
 * The SimCLR family: SimCLR (`projector` heads), SimCLRAugSelf(RotColor) (`augself`), SimCLROnlyEqui(RotColor)
 * (`equi-projector`), SimCLREquiMod(RotColor) (`equimod`).
 */

type Terms = Partial<Record<LossTerm, tf.Scalar>>;

/** AugSelf loss: L = NCE(X, Y) + ec·mse(head([h_x, h_y]), z); logged as inv = NCE, equi = MSE. */
export function augSelfLoss(X: tf.Tensor2D, Y: tf.Tensor2D, latent: tf.Tensor2D, z: tf.Tensor2D, o: MethodOptions): { loss: tf.Scalar; terms: Terms } {
  const inv = infoNceLoss(X, Y, o.simclr_temp);
  const equi = mseLoss(latent, z);
  return { loss: tf.add<tf.Scalar>(inv, tf.mul(equi, o.ec_weight)), terms: { repr_loss_inv: inv, repr_loss_equi: equi } };
}

/** EquiMod loss: L = NCE(x_i, y_i) + w·NCE(Ŷ, y_e), w = λ (`equi_factor`) or 1 (catalogue `equivarianceWeight`). */
export function simclrEquiModLoss(e: TwoProjectorOutputs, o: MethodOptions, weight: number): { loss: tf.Scalar; terms: Terms } {
  const inv = infoNceLoss(e.xi, e.yi, o.simclr_temp);
  const equi = infoNceLoss(e.prediction, e.ye, o.simclr_temp);
  return { loss: tf.add<tf.Scalar>(inv, tf.mul(equi, weight)), terms: { repr_loss_inv: inv, repr_loss_equi: equi } };
}

/** SimCLR: L = NCE(p(x), p(y)). */
export class SimclrMethod extends HeadsMethodModel<ProjectorHeads> {
  constructor(ctx: MethodBuildContext) {
    super(ctx, new ProjectorHeads(ctx));
  }

  protected compute({ hx, hy }: ObjectiveInputs): ObjectiveOutput {
    const { x, y } = this.heads.apply(hx, hy);
    return { loss: infoNceLoss(x, y, this.options.simclr_temp), terms: {}, embX: x, embY: y };
  }
}

/** SimCLR + AugSelf (and RotColor: the head regresses the 6-D latent). */
export class SimclrAugSelfMethod extends HeadsMethodModel<AugSelfHeads> {
  constructor(ctx: MethodBuildContext) {
    super(ctx, new AugSelfHeads(ctx));
  }

  protected compute({ hx, hy, z }: ObjectiveInputs): ObjectiveOutput {
    const { x, y, latent } = this.heads.apply(hx, hy);
    // No `prediction`: the AugSelf head regresses z, it is not an embedding predictor (no predictor stats).
    return { ...augSelfLoss(x, y, latent, z, this.options), embX: x, embY: y };
  }
}

/** SimCLROnlyEqui (and RotColor): L = NCE(Pred(p(x), z), p(y)). */
export class SimclrOnlyEquiMethod extends HeadsMethodModel<EquiProjectorHeads> {
  constructor(ctx: MethodBuildContext) {
    super(ctx, new EquiProjectorHeads(ctx));
  }

  protected compute({ hx, hy, z }: ObjectiveInputs): ObjectiveOutput {
    const { x, y, prediction } = this.heads.apply(hx, hy, z);
    return { loss: infoNceLoss(prediction, y, this.options.simclr_temp), terms: {}, embX: x, embY: y, prediction };
  }
}

/** SimCLREquiMod (and RotColor, whose equivariant term has weight 1 as in the reference). */
export class SimclrEquiModMethod extends HeadsMethodModel<EquiModHeads> {
  private readonly weight: number;

  constructor(ctx: MethodBuildContext) {
    super(ctx, new EquiModHeads(ctx));
    this.weight = methodCatalogue[ctx.name].equivarianceWeight === 'one' ? 1 : ctx.options.equi_factor;
  }

  protected compute({ hx, hy, z }: ObjectiveInputs): ObjectiveOutput {
    const e = this.heads.apply(hx, hy, z);
    return { ...simclrEquiModLoss(e, this.options, this.weight), embX: tf.concat([e.xi, e.xe], 1), embY: tf.concat([e.yi, e.ye], 1), prediction: e.prediction };
  }
}
