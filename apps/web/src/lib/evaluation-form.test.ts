import { describe, expect, test } from 'vitest';
import { defaultEvaluationForm, validateEvaluationForm } from './evaluation-form';

describe('the evaluation request form', () => {
  test('a split method defaults to every kind on the full, invariant and equivariant parts; others to full', () => {
    expect(defaultEvaluationForm('SIE').parts).toEqual(['full', 'inv', 'equi']);
    expect(defaultEvaluationForm('VICReg').parts).toEqual(['full']);
    expect(defaultEvaluationForm('SIE').kinds).toEqual(['classification', 'rotation', 'color', 'retrieval']);
  });
  test('epochs must be a whole number in 1..10 000 when a probe is chosen: "abc" and empty are refused, not sent', () => {
    const form = defaultEvaluationForm('SIE');
    for (const epochs of ['abc', '', '0', '1.5', '10001', '-3']) {
      const result = validateEvaluationForm({ ...form, epochs });
      expect(result.ok, epochs).toBe(false);
      if (!result.ok) expect(result.errors.epochs).toMatch(/whole number from 1 to 10,000/);
    }
    const ok = validateEvaluationForm({ ...form, epochs: ' 12 ' });
    expect(ok).toEqual({ ok: true, body: { kinds: form.kinds, parts: ['full', 'inv', 'equi'], config: { epochs: 12 } } });
  });
  test('retrieval alone needs neither epochs nor parts; no kind or no part is refused', () => {
    expect(validateEvaluationForm({ kinds: ['retrieval'], parts: [], epochs: 'abc' })).toEqual({ ok: true, body: { kinds: ['retrieval'], parts: [], config: {} } });
    const none = validateEvaluationForm({ kinds: [], parts: ['full'], epochs: '5' });
    expect(none.ok).toBe(false);
    const noPart = validateEvaluationForm({ kinds: ['rotation'], parts: [], epochs: '5' });
    expect(noPart.ok ? null : noPart.errors.parts).toBe('choose at least one part');
  });
});
