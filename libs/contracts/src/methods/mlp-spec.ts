/**
 * Layer-width specs as the reference writes them ("2048-2048-2048") and the SIE projector split (spec §3).
 */

/** Matches "m1-m2-…" with positive integers, no spaces. */
export const MLP_SPEC_PATTERN = /^[1-9][0-9]*(-[1-9][0-9]*)*$/;

/** Parses "m1-m2-m3" into widths; "" → []. Throws on a malformed spec. */
export function parseWidths(spec: string): number[] {
  if (spec === '') return [];
  if (!MLP_SPEC_PATTERN.test(spec))
    throw new Error(`malformed layer spec '${spec}': expected e.g. "2048-2048-2048"`);
  return spec.split('-').map(Number);
}

/** numpy `round` (half to even), as the reference uses for the projector split. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const frac = x - floor;
  if (frac > 0.5) return floor + 1;
  if (frac < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

export interface SieProjectorSpecs {
  /** Widths of the invariant projector on h[:, :reprSize − equi]. */
  readonly inv: number[];
  /** Widths of the equivariant projector on h[:, reprSize − equi:]. */
  readonly equi: number[];
}

/**
 * SIE split rule: spec_inv = round(mlp·(D−e)/D), spec_equi = round(mlp·e/D) (half-to-even), D the backbone
 * width, e = `equi`. Default e = 256, mlp 2048³ at D = 512 → 1024³ each.
 */
export function sieProjectorSpecs(mlp: string, reprSize: number, equi: number): SieProjectorSpecs {
  const widths = parseWidths(mlp);
  return {
    inv: widths.map((m) => roundHalfEven((m * (reprSize - equi)) / reprSize)),
    equi: widths.map((m) => roundHalfEven((m * equi) / reprSize)),
  };
}
