import { evaluationPartsFor, evaluationKinds, probeConfigSchema, type EvaluationKind, type EvaluationPart } from '@equilab/contracts';

/** Bounds of a probe's epochs, read from the contracts' probeConfigSchema (an integer in 1..10 000). */
const epochsBounds = (() => {
  const check = (v: number) => probeConfigSchema.shape.epochs.safeParse(v).success;
  let max = 1;
  while (check(max * 10)) max *= 10;
  return { min: check(0) ? 0 : 1, max };
})();

export interface EvaluationFormValues {
  readonly kinds: readonly EvaluationKind[];
  readonly parts: readonly EvaluationPart[];
  /** The epochs field as typed. */
  readonly epochs: string;
}

export type EvaluationFormResult =
  | { ok: true; body: { kinds: EvaluationKind[]; parts: EvaluationPart[]; config: { epochs?: number } } }
  | { ok: false; errors: Partial<Record<'kinds' | 'parts' | 'epochs', string>> };

/** The default form of a run: every kind, the method's parts (full, inv and equi for a split method), 50 epochs. */
export function defaultEvaluationForm(method: string): EvaluationFormValues {
  return { kinds: [...evaluationKinds], parts: [...evaluationPartsFor(method)], epochs: '50' };
}

/**
 * Checks the form before anything is sent: at least one kind; a part when a probe kind is chosen; epochs a whole
 * number in 1..10 000 when a probe kind is chosen (empty and "abc" are refused here, not sent as 0 or null).
 */
export function validateEvaluationForm(values: EvaluationFormValues): EvaluationFormResult {
  const errors: Partial<Record<'kinds' | 'parts' | 'epochs', string>> = {};
  const probes = values.kinds.some((k) => k !== 'retrieval');
  if (values.kinds.length === 0) errors.kinds = 'choose at least one kind';
  if (probes && values.parts.length === 0) errors.parts = 'choose at least one part';
  const text = values.epochs.trim();
  const epochs = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (probes && !(Number.isInteger(epochs) && epochs >= epochsBounds.min && epochs <= epochsBounds.max))
    errors.epochs = `epochs: a whole number from ${epochsBounds.min} to ${epochsBounds.max.toLocaleString('en-US')}`;
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, body: { kinds: [...values.kinds], parts: [...values.parts], config: probes ? { epochs } : {} } };
}

export const PART_LABELS: Record<EvaluationPart, string> = { full: 'full', inv: 'invariant', equi: 'equivariant' };
