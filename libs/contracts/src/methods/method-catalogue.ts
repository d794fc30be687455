import type { LatentMode } from '../data';
import type { MethodName } from './method-names';

/** Keys of the reference's stats dict a method objective reports (`loss` is always there). */
export const lossTermNames = [
  'loss',
  'repr_loss_inv',
  'repr_loss_equi',
  'std_loss',
  'cov_loss',
  'pred_std_loss',
] as const;
export type LossTermName = (typeof lossTermNames)[number];

/** The reference's TensorBoard tag of each term (main.py). */
export const lossTermTags: Readonly<Record<LossTermName, string>> = {
  loss: 'Loss/Total loss',
  repr_loss_inv: 'Loss/Invariance loss',
  repr_loss_equi: 'Loss/Equivariance loss',
  std_loss: 'Loss/Std loss',
  cov_loss: 'Loss/Covariance loss',
  pred_std_loss: 'Loss/Pred Std loss',
};

/** Latent a method trains with: quat = relative rotation quaternion (4); rotcolor = quaternion + Δfloor hue +
 * Δlight hue (6). The data loader's `latentMode` (contracts/data.ts) with these values. */
export type MethodLatentMode = Extract<LatentMode, 'quat' | 'rotcolor'>;

export interface MethodInfo {
  readonly name: MethodName;
  readonly family: 'sie' | 'vicreg' | 'simclr';
  readonly summary: string;
  readonly latentMode: MethodLatentMode;
  /** Width of z the data loader must produce (4 or 6). */
  readonly latentDim: 4 | 6;
  /** Whether the method has a transformation predictor (hypernetwork/MLP) on the embeddings. */
  readonly hasPredictor: boolean;
  /** Terms the objective returns, in the reference's stats-dict names (beside `loss`). */
  readonly terms: readonly LossTermName[];
  /** Terms the reference writes to TensorBoard for this method, with their tags (spec §6), `loss` first. */
  readonly loggedTerms: readonly { readonly term: LossTermName; readonly tag: string }[];
}

function logged(terms: readonly LossTermName[]): MethodInfo['loggedTerms'] {
  return ['loss' as const, ...terms].map((term) => ({ term, tag: lossTermTags[term] }));
}

function info(
  name: MethodName,
  family: MethodInfo['family'],
  summary: string,
  latentMode: MethodLatentMode,
  hasPredictor: boolean,
  terms: readonly LossTermName[],
  loggedTermNames: readonly LossTermName[],
): MethodInfo {
  return {
    name,
    family,
    summary,
    latentMode,
    latentDim: latentMode === 'quat' ? 4 : 6,
    hasPredictor,
    terms,
    loggedTerms: logged(loggedTermNames),
  };
}

const SIE_TERMS: readonly LossTermName[] = [
  'repr_loss_inv',
  'repr_loss_equi',
  'std_loss',
  'cov_loss',
  'pred_std_loss',
];

/** Per-method facts: latent, returned and logged loss terms, options. */
export const methodCatalogue: Readonly<Record<MethodName, MethodInfo>> = {
  SIE: info(
    'SIE',
    'sie',
    'Split invariant/equivariant VICReg with a hypernetwork predictor and predictor variance.',
    'quat',
    true,
    SIE_TERMS,
    SIE_TERMS,
  ),
  SIENoVar: info(
    'SIENoVar',
    'sie',
    'SIE without the predictor variance term.',
    'quat',
    true,
    ['repr_loss_inv', 'repr_loss_equi', 'std_loss', 'cov_loss'],
    ['repr_loss_inv', 'repr_loss_equi', 'std_loss', 'cov_loss'],
  ),
  SIERotColor: info(
    'SIERotColor',
    'sie',
    'SIE whose predictor also gets the two hue changes (6-D latent).',
    'rotcolor',
    true,
    SIE_TERMS,
    // The reference does not log the equivariance loss for SIERotColor.
    ['repr_loss_inv', 'std_loss', 'cov_loss', 'pred_std_loss'],
  ),
  SIEOnlyEqui: info(
    'SIEOnlyEqui',
    'sie',
    'Equivariant part only: one projector on the whole representation, predictor, no invariance term (logged as 0).',
    'quat',
    true,
    SIE_TERMS,
    SIE_TERMS,
  ),
  VICReg: info(
    'VICReg',
    'vicreg',
    'VICReg: invariance MSE + variance + covariance.',
    'quat',
    false,
    ['repr_loss_inv', 'std_loss', 'cov_loss'],
    ['repr_loss_inv', 'std_loss', 'cov_loss'],
  ),
  VICRegPartInv: info(
    'VICRegPartInv',
    'vicreg',
    'VICReg with the invariance loss on the first E − equi embedding dims only.',
    'quat',
    false,
    ['repr_loss_inv', 'std_loss', 'cov_loss'],
    ['repr_loss_inv', 'std_loss', 'cov_loss'],
  ),
  VICRegEquiMod: info(
    'VICRegEquiMod',
    'vicreg',
    'EquiMod with VICReg: invariant projector + equivariant projector with predictor, VICReg on each.',
    'quat',
    true,
    ['repr_loss_inv', 'repr_loss_equi', 'std_loss', 'cov_loss'],
    ['repr_loss_inv', 'repr_loss_equi', 'std_loss', 'cov_loss'],
  ),
  SimCLR: info('SimCLR', 'simclr', 'SimCLR (InfoNCE).', 'quat', false, [], []),
  SimCLRAugSelf: info(
    'SimCLRAugSelf',
    'simclr',
    'SimCLR + AugSelf: an MLP on (h_x, h_y) regresses the rotation quaternion.',
    'quat',
    false,
    ['repr_loss_inv', 'repr_loss_equi'],
    ['repr_loss_inv', 'repr_loss_equi'],
  ),
  SimCLRAugSelfRotColor: info(
    'SimCLRAugSelfRotColor',
    'simclr',
    'SimCLR + AugSelf regressing rotation and hue changes (6-D).',
    'rotcolor',
    false,
    ['repr_loss_inv', 'repr_loss_equi'],
    ['repr_loss_inv', 'repr_loss_equi'],
  ),
  SimCLROnlyEqui: info(
    'SimCLROnlyEqui',
    'simclr',
    'InfoNCE between the predicted and the actual embedding of view 2 (no invariant branch).',
    'quat',
    true,
    [],
    [],
  ),
  SimCLROnlyEquiRotColor: info(
    'SimCLROnlyEquiRotColor',
    'simclr',
    'SimCLROnlyEqui with a 6-D latent (rotation + hue changes).',
    'rotcolor',
    true,
    [],
    [],
  ),
  SimCLREquiMod: info(
    'SimCLREquiMod',
    'simclr',
    'EquiMod: InfoNCE on an invariant projector + λ · InfoNCE on a predicted equivariant projector.',
    'quat',
    true,
    ['repr_loss_inv', 'repr_loss_equi'],
    ['repr_loss_equi'],
  ),
  SimCLREquiModRotColor: info(
    'SimCLREquiModRotColor',
    'simclr',
    'EquiMod with a 6-D latent; as in the reference the equivariant term has weight 1 (no equi_factor).',
    'rotcolor',
    true,
    ['repr_loss_inv', 'repr_loss_equi'],
    ['repr_loss_equi'],
  ),
};
