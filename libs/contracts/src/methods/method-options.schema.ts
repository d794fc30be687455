import { z } from 'zod';
import { MLP_SPEC_PATTERN } from './mlp-spec';

/**
 * Every option a pretraining method can take, with the reference's option names (argparse `--sim-coeff` →
 * `sim_coeff`) and defaults. Each method's schema picks the options it uses (method-config.schemas.ts).
 *
 * Deviations from the reference defaults, chosen for a CPU project and documented here:
 * - `batch_size` 32 (reference 1024 on 8 GPUs). The covariance term is normalised by `batch_size − 1`, so
 *   keep the configured value equal to the real global batch.
 * - `resolution` 64 (reference 256); must be a multiple of 32 (the backbone's residual additions need it).
 * - `epochs` 100 (the README SIE run uses 2000).
 * - `equi_factor` 0.45: the README SIE command and the paper's run use `--equi-factor 0.45` (effective
 *   equivariance weight sim·λ = 4.5); the argparse default is 4.5 (effective 45), which the published
 *   results were not produced with.
 */
export const methodOptionShape = {
  // ---- common to every method -------------------------------------------------------------------------
  batch_size: z
    .number()
    .int()
    .min(2)
    .max(65_536)
    .default(32)
    .describe(
      'Global batch size (reference: 1024). Also the nominal batch the VICReg covariance is normalised by (batch_size − 1).',
    ),
  epochs: z
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(100)
    .describe('Number of passes over the training objects.'),
  base_lr: z
    .number()
    .positive()
    .max(10)
    .default(1e-3)
    .describe('Adam learning rate, constant (no warm-up, no schedule, no batch-size scaling).'),
  wd: z.number().min(0).max(1).default(1e-6).describe('Adam weight decay (L2, applied to every parameter).'),
  resolution: z
    .number()
    .int()
    .min(32)
    .max(1024)
    .multipleOf(32)
    .default(64)
    .describe('Input image side in pixels (reference: 256); a multiple of 32.'),
  arch: z
    .enum(['resnet18'])
    .default('resnet18')
    .describe('Backbone architecture (the modified ResNet-18 of the paper).'),
  width: z
    .number()
    .positive()
    .max(8)
    .default(1)
    .describe(
      'Backbone width multiplier: stage channels 64·w … 512·w, representation size 512·w (64·w must be an integer).',
    ),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(0)
    .describe('Seed of parameter initialisation and view sampling.'),
  mlp: z
    .string()
    .regex(MLP_SPEC_PATTERN, 'must be positive integers joined by "-", e.g. "2048-2048-2048"')
    .default('2048-2048-2048')
    .describe('Projector widths "m1-m2-…" (Linear→BN→ReLU between, last Linear without bias).'),

  // ---- VICReg / SIE loss weights ------------------------------------------------------------------------
  sim_coeff: z
    .number()
    .min(0)
    .max(1e6)
    .default(10)
    .describe('Weight of the invariance (and equivariance) MSE.'),
  std_coeff: z.number().min(0).max(1e6).default(10).describe('Weight of the variance (std hinge) terms.'),
  cov_coeff: z.number().min(0).max(1e6).default(1).describe('Weight of the covariance term.'),
  equi: z
    .number()
    .int()
    .min(1)
    .default(256)
    .describe(
      'SIE: width of the equivariant part of the representation (its LAST dims; must be < 512·width). VICRegPartInv: number of embedding dims left free of the invariance loss.',
    ),
  equi_factor: z
    .number()
    .min(0)
    .max(1e6)
    .default(0.45)
    .describe(
      'λ, weight of the equivariance loss relative to the invariance loss (SIE: sim_coeff·λ). Default 0.45 as the paper run; the reference argparse default is 4.5.',
    ),

  // ---- predictor (hypernetwork or MLP) ------------------------------------------------------------------
  predictor_type: z
    .enum(['hypernetwork', 'mlp'])
    .default('hypernetwork')
    .describe('hypernetwork: ŷ = W(z)·x with W generated from the latent; mlp: ŷ = MLP(concat(z, x)).'),
  hypernetwork: z
    .enum(['linear', 'deep'])
    .default('linear')
    .describe(
      'Hypernetwork g(z): linear = one Linear(L→P); deep = Linear(L→L)→ReLU→Linear(L→L)→ReLU→Linear(L→P).',
    ),
  predictor: z
    .string()
    .regex(/^([1-9][0-9]*(-[1-9][0-9]*)*)?$/, 'must be "" or positive integers joined by "-", e.g. "1024"')
    .default('')
    .describe('Hidden layer widths of the predicted network, "" = a single square layer.'),
  predictor_relu: z.boolean().default(false).describe('ReLU between the predicted network’s layers.'),
  bias_pred: z.boolean().default(false).describe('The predicted network’s layers have a (predicted) bias.'),
  bias_hypernet: z.boolean().default(false).describe('The hypernetwork’s output layer has a bias.'),
  tf_num_layers: z
    .number()
    .int()
    .min(1)
    .max(16)
    .default(1)
    .describe('MLP predictor depth: Linear(E+L→E) then tf_num_layers−1 × Linear(E→E), ReLU between.'),

  // ---- SimCLR family -----------------------------------------------------------------------------------
  simclr_temp: z.number().positive().max(100).default(0.1).describe('InfoNCE temperature τ.'),
  ec_weight: z
    .number()
    .min(0)
    .max(1e6)
    .default(1)
    .describe('AugSelf: weight of the transformation-prediction MSE.'),
} as const;

export type MethodOptionName = keyof typeof methodOptionShape;

/** All options with their defaults: a superset of every method's config. */
export const methodOptionsSchema = z.object(methodOptionShape);
export type MethodOptions = z.infer<typeof methodOptionsSchema>;
