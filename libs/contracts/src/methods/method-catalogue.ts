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

/**
 * How a method's heads sit on the backbone representation h (libs/sie builds the method's model from its family and
 * this): `split` — SIE: an invariant projector on the first D − equi dims, an equivariant one on the last equi
 * dims, a predictor; `projector` — one projector on h; `equi-projector` — one projector on h (named
 * `projector_equi`) and a predictor; `equimod` — an invariant and an equivariant projector both on h, a
 * predictor; `augself` — one projector and an AugSelf head regressing z from [h_x, h_y].
 */
export type MethodHeads = 'split' | 'projector' | 'equi-projector' | 'equimod' | 'augself';

export interface MethodInfo {
  readonly name: MethodName;
  readonly family: 'sie' | 'vicreg' | 'simclr';
  readonly summary: string;
  readonly latentMode: MethodLatentMode;
  /** Width of z the data loader must produce (4 or 6). */
  readonly latentDim: 4 | 6;
  /** Whether the method has a transformation predictor (hypernetwork/MLP) on the embeddings. */
  readonly hasPredictor: boolean;
  readonly heads: MethodHeads;
  /** Terms the objective returns, in the reference's stats-dict names (beside `loss`). */
  readonly terms: readonly LossTermName[];
  /** Terms the reference writes to TensorBoard for this method, with their tags (spec §6), `loss` first. */
  readonly loggedTerms: readonly { readonly term: LossTermName; readonly tag: string }[];
  /** VICRegPartInv: the invariance loss only on the first E − equi embedding dims. */
  readonly partialInvariance: boolean;
  /** Weight of the equivariance loss: `equi_factor` (λ), or 1 where the reference ignores λ. */
  readonly equivarianceWeight: 'equi_factor' | 'one';
  /** Whether `predictor_type: mlp` is allowed (the reference builds only a hypernetwork for SIERotColor). */
  readonly mlpPredictor: boolean;
}

function logged(terms: readonly LossTermName[]): MethodInfo['loggedTerms'] {
  return ['loss' as const, ...terms].map((term) => ({ term, tag: lossTermTags[term] }));
}

/** The variant flags; a method states only the ones it changes. */
type Variant = Partial<Pick<MethodInfo, 'partialInvariance' | 'equivarianceWeight' | 'mlpPredictor'>>;

function info(
  name: MethodName,
  family: MethodInfo['family'],
  summary: string,
  latentMode: MethodLatentMode,
  heads: MethodHeads,
  terms: readonly LossTermName[],
  loggedTermNames: readonly LossTermName[],
  variant: Variant = {},
): MethodInfo {
  return {
    name,
    family,
    summary,
    latentMode,
    latentDim: latentMode === 'quat' ? 4 : 6,
    hasPredictor: heads === 'split' || heads === 'equi-projector' || heads === 'equimod',
    heads,
    terms,
    loggedTerms: logged(loggedTermNames),
    partialInvariance: false,
    equivarianceWeight: 'equi_factor',
    mlpPredictor: true,
    ...variant,
  };
}

const SIE_TERMS: readonly LossTermName[] = [
  'repr_loss_inv',
  'repr_loss_equi',
  'std_loss',
  'cov_loss',
  'pred_std_loss',
];

/** SIE without Vpred, VICRegEquiMod: invariance, equivariance, variance, covariance. */
const INV_EQUI_VICREG_TERMS: readonly LossTermName[] = ['repr_loss_inv', 'repr_loss_equi', 'std_loss', 'cov_loss'];
const VICREG_TERMS: readonly LossTermName[] = ['repr_loss_inv', 'std_loss', 'cov_loss'];
/** AugSelf and EquiMod with InfoNCE: an invariance and an equivariance term. */
const INV_EQUI_TERMS: readonly LossTermName[] = ['repr_loss_inv', 'repr_loss_equi'];

/** Per-method facts: latent, returned and logged loss terms, options. */
export const methodCatalogue: Readonly<Record<MethodName, MethodInfo>> = {
  SIE: info(
    'SIE',
    'sie',
    'Split invariant/equivariant VICReg with a hypernetwork predictor and predictor variance.',
    'quat',
    'split',
    SIE_TERMS,
    SIE_TERMS,
  ),
  SIENoVar: info(
    'SIENoVar',
    'sie',
    'SIE without the predictor variance term.',
    'quat',
    'split',
    INV_EQUI_VICREG_TERMS,
    INV_EQUI_VICREG_TERMS,
  ),
  SIERotColor: info(
    'SIERotColor',
    'sie',
    'SIE whose predictor also gets the two hue changes (6-D latent).',
    'rotcolor',
    'split',
    SIE_TERMS,
    // The reference does not log the equivariance loss for SIERotColor.
    ['repr_loss_inv', 'std_loss', 'cov_loss', 'pred_std_loss'],
    { mlpPredictor: false },
  ),
  SIEOnlyEqui: info(
    'SIEOnlyEqui',
    'sie',
    'Equivariant part only: one projector on the whole representation, predictor, no invariance term (logged as 0).',
    'quat',
    'equi-projector',
    SIE_TERMS,
    SIE_TERMS,
  ),
  VICReg: info(
    'VICReg',
    'vicreg',
    'VICReg: invariance MSE + variance + covariance.',
    'quat',
    'projector',
    VICREG_TERMS,
    VICREG_TERMS,
  ),
  VICRegPartInv: info(
    'VICRegPartInv',
    'vicreg',
    'VICReg with the invariance loss on the first E − equi embedding dims only.',
    'quat',
    'projector',
    VICREG_TERMS,
    VICREG_TERMS,
    { partialInvariance: true },
  ),
  VICRegEquiMod: info(
    'VICRegEquiMod',
    'vicreg',
    'EquiMod with VICReg: invariant projector + equivariant projector with predictor, VICReg on each.',
    'quat',
    'equimod',
    INV_EQUI_VICREG_TERMS,
    INV_EQUI_VICREG_TERMS,
  ),
  SimCLR: info('SimCLR', 'simclr', 'SimCLR (InfoNCE).', 'quat', 'projector', [], []),
  SimCLRAugSelf: info(
    'SimCLRAugSelf',
    'simclr',
    'SimCLR + AugSelf: an MLP on (h_x, h_y) regresses the rotation quaternion.',
    'quat',
    'augself',
    INV_EQUI_TERMS,
    INV_EQUI_TERMS,
  ),
  SimCLRAugSelfRotColor: info(
    'SimCLRAugSelfRotColor',
    'simclr',
    'SimCLR + AugSelf regressing rotation and hue changes (6-D).',
    'rotcolor',
    'augself',
    INV_EQUI_TERMS,
    INV_EQUI_TERMS,
  ),
  SimCLROnlyEqui: info(
    'SimCLROnlyEqui',
    'simclr',
    'InfoNCE between the predicted and the actual embedding of view 2 (no invariant branch).',
    'quat',
    'equi-projector',
    [],
    [],
  ),
  SimCLROnlyEquiRotColor: info(
    'SimCLROnlyEquiRotColor',
    'simclr',
    'SimCLROnlyEqui with a 6-D latent (rotation + hue changes).',
    'rotcolor',
    'equi-projector',
    [],
    [],
  ),
  SimCLREquiMod: info(
    'SimCLREquiMod',
    'simclr',
    'EquiMod: InfoNCE on an invariant projector + λ · InfoNCE on a predicted equivariant projector.',
    'quat',
    'equimod',
    INV_EQUI_TERMS,
    ['repr_loss_equi'],
  ),
  SimCLREquiModRotColor: info(
    'SimCLREquiModRotColor',
    'simclr',
    'EquiMod with a 6-D latent; as in the reference the equivariant term has weight 1 (no equi_factor).',
    'rotcolor',
    'equimod',
    INV_EQUI_TERMS,
    ['repr_loss_equi'],
    { equivarianceWeight: 'one' },
  ),
};
