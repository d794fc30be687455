import { methodCatalogue, type MethodOptions } from '@equilab/contracts';
import * as tf from '@tensorflow/tfjs-core';
import { mseLoss } from '../losses/mse.loss';
import { covarianceLoss, varianceLoss } from '../losses/vicreg.loss';
import type { LossTerm, ObjectiveInputs, ObjectiveOutput } from '../types';
import { HeadsMethodModel, weighted, type MethodBuildContext } from './method.context';
import { EquiModHeads, ProjectorHeads, type TwoProjectorOutputs } from './method.heads';

/** The VICReg family: VICReg and VICRegPartInv on the `projector` heads, VICRegEquiMod on `equimod`. */

type Terms = Partial<Record<LossTerm, tf.Scalar>>;

/**
 * VICReg loss: L = sim·mse(X, Y) + std·V(X, Y) + cov·Cov(X, Y) ÷ E; with `invDims` < E (VICRegPartInv) the
 * invariance only on the first `invDims` embedding dims, V and Cov on all E dims.
 */
export function vicregLoss(X: tf.Tensor2D, Y: tf.Tensor2D, o: MethodOptions, invDims: number): { loss: tf.Scalar; terms: Terms } {
  const E = X.shape[1];
  const inv = invDims === E ? mseLoss(X, Y) : mseLoss(tf.slice(X, [0, 0], [-1, invDims]), tf.slice(Y, [0, 0], [-1, invDims]));
  const std = varianceLoss(X, Y);
  const cov = covarianceLoss(X, Y, o.batch_size);
  const loss = weighted([o.sim_coeff, inv], [o.std_coeff, std], [o.cov_coeff, cov]);
  return { loss, terms: { repr_loss_inv: inv, std_loss: std, cov_loss: cov } };
}

/**
 * VICRegEquiMod loss: [sim·mse(x_i, y_i) + std·V(inv) + cov·Cov(inv)] + λ·[sim·mse(Ŷ, y_e) + std·V(eq) + cov·Cov(eq)];
 * V/Cov on each part separately (no cross terms, no Vpred); logged std/cov are the sums.
 */
export function vicregEquiModLoss(e: TwoProjectorOutputs, o: MethodOptions): { loss: tf.Scalar; terms: Terms } {
  const inv = mseLoss(e.xi, e.yi);
  const equi = mseLoss(e.prediction, e.ye);
  const stdInv = varianceLoss(e.xi, e.yi);
  const stdEq = varianceLoss(e.xe, e.ye);
  const covInv = covarianceLoss(e.xi, e.yi, o.batch_size);
  const covEq = covarianceLoss(e.xe, e.ye, o.batch_size);
  const invPart = weighted([o.sim_coeff, inv], [o.std_coeff, stdInv], [o.cov_coeff, covInv]);
  const eqPart = weighted([o.sim_coeff, equi], [o.std_coeff, stdEq], [o.cov_coeff, covEq]);
  return {
    loss: tf.add<tf.Scalar>(invPart, tf.mul(eqPart, o.equi_factor)),
    terms: {
      repr_loss_inv: inv,
      repr_loss_equi: equi,
      std_loss: tf.add<tf.Scalar>(stdInv, stdEq),
      cov_loss: tf.add<tf.Scalar>(covInv, covEq),
    },
  };
}

/** VICReg; VICRegPartInv (catalogue `partialInvariance`: `equi` counts EMBEDDING dims left free of the invariance). */
export class VicregMethod extends HeadsMethodModel<ProjectorHeads> {
  private readonly invDims: number;

  constructor(ctx: MethodBuildContext) {
    const heads = new ProjectorHeads(ctx);
    const { options: o, reprSize: D } = ctx;
    const E = heads.projector.outDim;
    const partial = methodCatalogue[ctx.name].partialInvariance;
    if (partial && !(o.equi >= 1 && o.equi < E))
      throw new Error(`equi: must be between 1 and the embedding width ${E} − 1, got ${o.equi}`);
    super(ctx, heads, partial ? { invRepr: D, equiRepr: 0, invEmb: E - o.equi, equiEmb: o.equi } : heads.evalDims);
    this.invDims = partial ? E - o.equi : E;
  }

  protected compute({ hx, hy }: ObjectiveInputs): ObjectiveOutput {
    const { x, y } = this.heads.apply(hx, hy);
    return { ...vicregLoss(x, y, this.options, this.invDims), embX: x, embY: y };
  }
}

export class VicregEquiModMethod extends HeadsMethodModel<EquiModHeads> {
  constructor(ctx: MethodBuildContext) {
    super(ctx, new EquiModHeads(ctx));
  }

  protected compute({ hx, hy, z }: ObjectiveInputs): ObjectiveOutput {
    const e = this.heads.apply(hx, hy, z);
    return { ...vicregEquiModLoss(e, this.options), embX: tf.concat([e.xi, e.xe], 1), embY: tf.concat([e.yi, e.ye], 1), prediction: e.prediction };
  }
}
