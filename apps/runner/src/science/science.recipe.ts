/**
 * The recipe of the reference curves (shared/reference/README.md), in Equilab's option names: the reference's
 * argparse names map one to one (`--base-lr` → base_lr, …). Width 0.25 gives the 128-D representation of the
 * reference's ResNet-18 with every channel count × 0.25; SIE keeps the reference's half split (equi 64 of 128).
 */
export const SCIENCE_RECIPE = {
  width: 0.25,
  mlp: '512-512-512',
  batch_size: 32,
  base_lr: 0.001,
  wd: 0.000001,
  resolution: 64,
  sim_coeff: 10,
  std_coeff: 10,
  cov_coeff: 1,
} as const;

/** Per-method options of the recipe, beside the shared ones. */
export const SCIENCE_METHOD_OPTIONS: ReadonlyMap<string, Readonly<Record<string, string | number>>> = new Map<string, Readonly<Record<string, string | number>>>([
  ['SIE', { equi: 64, equi_factor: 0.45, hypernetwork: 'linear', predictor: '' }],
  ['VICReg', {}],
]);

/** The runs of `npm run science`: two seeds to 3,000 steps, seed 1 continued to 6,000 (the reference's budget). */
export const SCIENCE_DEFAULTS = {
  methods: ['SIE', 'VICReg'],
  seeds: [1, 2],
  steps: 3000,
  longSeeds: [1],
  longSteps: 6000,
} as const;

/** Steps at which the comparison reads window means, where both sides have them. */
export const PARITY_STEPS = [1000, 2000, 3000, 6000] as const;
/**
 * Steps whose cells make the parity acceptance (issue #10: Equilab's mean over seeds inside the reference's band over
 * seeds 1–3). At 6,000 steps the reference has one seed: those cells get a verdict, and the ordering decides.
 */
export const ACCEPTANCE_STEPS: readonly number[] = [1000, 2000, 3000];
