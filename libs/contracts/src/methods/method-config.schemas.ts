import { z } from 'zod';
import { methodCatalogue } from './method-catalogue';
import type { MethodName } from './method-names';
import { methodOptionShape, type MethodOptionName } from './method-options.schema';
import { MLP_SPEC_PATTERN, parseWidths, sieProjectorSpecs } from './mlp-spec';

const COMMON = [
  'batch_size',
  'epochs',
  'base_lr',
  'wd',
  'resolution',
  'arch',
  'width',
  'seed',
  'mlp',
] as const;
const VIC = ['sim_coeff', 'std_coeff', 'cov_coeff'] as const;
const PRED = [
  'predictor_type',
  'hypernetwork',
  'predictor',
  'predictor_relu',
  'bias_pred',
  'bias_hypernet',
  'tf_num_layers',
] as const;
const SIE = [...COMMON, ...VIC, 'equi', 'equi_factor', ...PRED] as const;
const SIMCLR_PRED = [...COMMON, 'simclr_temp', ...PRED] as const;

/** The options each method takes (the reference's argparse names). */
export const methodOptionKeys = {
  SIE,
  SIENoVar: SIE,
  SIERotColor: SIE,
  // No λ: the reference's SIEOnlyEqui loss has no equi_factor (and no invariant split, so no equi).
  SIEOnlyEqui: [...COMMON, ...VIC, ...PRED],
  VICReg: [...COMMON, ...VIC],
  VICRegPartInv: [...COMMON, ...VIC, 'equi'],
  VICRegEquiMod: [...COMMON, ...VIC, 'equi_factor', ...PRED],
  SimCLR: [...COMMON, 'simclr_temp'],
  SimCLRAugSelf: [...COMMON, 'simclr_temp', 'ec_weight'],
  SimCLRAugSelfRotColor: [...COMMON, 'simclr_temp', 'ec_weight'],
  SimCLROnlyEqui: SIMCLR_PRED,
  SimCLROnlyEquiRotColor: SIMCLR_PRED,
  SimCLREquiMod: [...SIMCLR_PRED, 'equi_factor'],
  // The reference ignores λ for this variant (weight 1), so it takes no equi_factor.
  SimCLREquiModRotColor: SIMCLR_PRED,
} as const satisfies Record<MethodName, readonly MethodOptionName[]>;

type Shape = typeof methodOptionShape;
type Keys<N extends MethodName> = (typeof methodOptionKeys)[N][number];

/** Backbone representation width for a width multiplier (ResNet-18: 512·w). */
export function backboneWidth(width: number): number {
  return Math.round(512 * width);
}

/** Refinements run even when a field failed its own check: only trust values that passed. */
function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
function spec(v: unknown): string | undefined {
  return typeof v === 'string' && MLP_SPEC_PATTERN.test(v) ? v : undefined;
}

/** Cross-field rules; each issue names the offending field. */
function refine(name: MethodName) {
  return (raw: Record<string, unknown>, ctx: z.RefinementCtx): void => {
    const equi = num(raw['equi']);
    // equi < 1 already failed its own check.
    const cfg = {
      width: num(raw['width']),
      equi: equi !== undefined && equi >= 1 ? equi : undefined,
      mlp: spec(raw['mlp']),
      predictor_type: raw['predictor_type'],
    };
    if (cfg.width !== undefined && cfg.width > 0) {
      const ch = 64 * cfg.width;
      if (Math.abs(ch - Math.round(ch)) > 1e-9 || Math.round(ch) < 1)
        ctx.addIssue({
          code: 'custom',
          path: ['width'],
          message: `64·width must be a positive integer (stem channels), got 64·${cfg.width} = ${ch}`,
        });
    }
    const info = methodCatalogue[name];
    const sieSplit = info.heads === 'split';
    if (
      sieSplit &&
      cfg.width !== undefined &&
      cfg.width > 0 &&
      cfg.equi !== undefined &&
      cfg.mlp !== undefined
    ) {
      const d = backboneWidth(cfg.width);
      if (cfg.equi >= d)
        ctx.addIssue({
          code: 'custom',
          path: ['equi'],
          message: `must be smaller than the backbone width 512·width = ${d} (the invariant part would be empty), got ${cfg.equi}`,
        });
      else {
        const specs = sieProjectorSpecs(cfg.mlp, d, cfg.equi);
        if ([...specs.inv, ...specs.equi].some((w) => w < 1))
          ctx.addIssue({
            code: 'custom',
            path: ['equi'],
            message: `equi = ${cfg.equi} of ${d} splits mlp "${cfg.mlp}" into projectors inv ${specs.inv.join('-')} / equi ${specs.equi.join('-')}: every width must be ≥ 1`,
          });
      }
    }
    if (info.partialInvariance && cfg.equi !== undefined && cfg.mlp !== undefined) {
      const widths = parseWidths(cfg.mlp);
      const e = widths[widths.length - 1] ?? 0;
      if (cfg.equi >= e)
        ctx.addIssue({
          code: 'custom',
          path: ['equi'],
          message: `counts free embedding dims here and must be smaller than the embedding width ${e} (last entry of mlp), got ${cfg.equi}`,
        });
    }
    if (!info.mlpPredictor && cfg.predictor_type === 'mlp')
      ctx.addIssue({
        code: 'custom',
        path: ['predictor_type'],
        message: `${name} has no MLP predictor (the reference only builds a hypernetwork for it)`,
      });
  };
}

function methodSchema<N extends MethodName>(name: N) {
  const shape: Record<string, z.ZodType> = {};
  for (const key of methodOptionKeys[name]) shape[key] = methodOptionShape[key];
  return z.strictObject(shape as Pick<Shape, Keys<N>>).superRefine(refine(name));
}

/** Zod schema of each method's config: the options it takes, with defaults; unknown keys are rejected. */
export const methodConfigSchemas = {
  SIE: methodSchema('SIE'),
  SIENoVar: methodSchema('SIENoVar'),
  SIERotColor: methodSchema('SIERotColor'),
  SIEOnlyEqui: methodSchema('SIEOnlyEqui'),
  VICReg: methodSchema('VICReg'),
  VICRegPartInv: methodSchema('VICRegPartInv'),
  VICRegEquiMod: methodSchema('VICRegEquiMod'),
  SimCLR: methodSchema('SimCLR'),
  SimCLRAugSelf: methodSchema('SimCLRAugSelf'),
  SimCLRAugSelfRotColor: methodSchema('SimCLRAugSelfRotColor'),
  SimCLROnlyEqui: methodSchema('SimCLROnlyEqui'),
  SimCLROnlyEquiRotColor: methodSchema('SimCLROnlyEquiRotColor'),
  SimCLREquiMod: methodSchema('SimCLREquiMod'),
  SimCLREquiModRotColor: methodSchema('SimCLREquiModRotColor'),
};

/** A method's resolved config (defaults applied). */
export type MethodConfig<N extends MethodName> = z.output<(typeof methodConfigSchemas)[N]>;
/** A method's config as a user writes it (every field optional). */
export type MethodConfigInput<N extends MethodName> = z.input<(typeof methodConfigSchemas)[N]>;
export type AnyMethodConfig = { [N in MethodName]: MethodConfig<N> }[MethodName];
