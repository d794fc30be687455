import { describe, expect, test } from 'vitest';
import { methodDefaults, methodFields, methodSchema } from './method-schema';
import { buildRequest, initialAshaState, initialFieldState, runBody, sweepBody, type FieldState, type SweepFormState } from './sweep-form';

const METHOD = 'VICReg';
const fields = methodFields(METHOD);

function form(overrides: Partial<SweepFormState>, varied: Record<string, Partial<FieldState>>): SweepFormState {
  const states: Record<string, FieldState> = {};
  for (const field of fields) states[field.path] = { ...initialFieldState(field), ...varied[field.path] };
  return { kind: 'sweep', name: 'lr', method: METHOD, strategy: 'grid', count: '', seed: '0', maxConcurrency: '4', backend: 'wasm', fields: states, ...overrides };
}

const build = (state: SweepFormState) => buildRequest(state, fields, methodDefaults(METHOD), methodSchema(METHOD));

describe('buildRequest applies the API’s sweep rules (libs/sweeps)', () => {
  test('a grid over values builds the search space and a base config of the changed fields only', () => {
    const built = build(form({}, { base_lr: { mode: 'values', values: '0.1, 0.2' }, epochs: { value: '2' } }));
    expect(built.errors).toEqual({});
    expect(built.searchSpace).toEqual({ base_lr: { distribution: 'choice', values: [0.1, 0.2] } });
    expect(JSON.parse(JSON.stringify(built.baseConfig))).toEqual({ epochs: 2, seed: 0 });
  });

  test('the seed the form shows is the seed of every run: always sent in the base config, the search seed apart', () => {
    const state = form({ seed: '7' }, { base_lr: { mode: 'values', values: '0.1, 0.2' } });
    const built = build(state);
    const body = sweepBody(state, 'p', built, true);
    expect(body.baseConfig?.['seed']).toBe(0);
    expect(body.seed).toBe(7);
    expect(body.replicates).toBe(1);
    const single = build({ ...form({}, { seed: { value: '3' } }), kind: 'run' });
    const run = runBody({ ...form({}, {}), kind: 'run' }, 'p', single);
    expect(run.config?.['seed']).toBe(3);
    expect('seed' in run).toBe(false);
  });

  test('replicates are bounded; asha options are parsed by the contracts and refused at their field', () => {
    expect(build(form({ replicates: '0' }, { base_lr: { mode: 'values', values: '0.1' } })).errors['$replicates']).toEqual(['must be an integer 1…32']);
    const asha = (patch: Partial<typeof initialAshaState>) =>
      build(form({ strategy: 'asha', asha: { ...initialAshaState, ...patch } }, { base_lr: { mode: 'log-uniform', min: '0.0001', max: '0.1' } }));
    const ok = asha({});
    expect(ok.errors).toEqual({});
    expect(ok.asha).toEqual({ minEpochs: 1, maxEpochs: 16, eta: 4, maxRuns: 16, brackets: 1, metric: 'Loss/Total', mode: 'min' });
    expect(asha({ maxEpochs: '0' }).errors['$asha.maxEpochs']).toBeDefined();
    expect(asha({ eta: '1' }).errors['$asha.eta']).toBeDefined();
    expect(asha({ brackets: '4' }).errors['$asha.brackets']?.join(' ')).toMatch(/at most the number of rungs \(3/);
  });

  test('a distribution under the grid strategy is refused at its field, as the dry run refuses it', () => {
    const built = build(form({}, { base_lr: { mode: 'uniform', min: '0.1', max: '0.2' } }));
    expect(built.errors['base_lr']?.join(' ')).toMatch(/grid sweeps take only "choice"/);
  });

  test('ranges: min ≤ max (equal is a valid range), log-uniform needs min > 0, random needs a count', () => {
    const random = (field: Partial<FieldState>, count = '3') => build(form({ strategy: 'random', count }, { base_lr: field })).errors;
    expect(random({ mode: 'uniform', min: '0.3', max: '0.2' })['base_lr']?.join(' ')).toMatch(/must be ≥ min/);
    expect(random({ mode: 'uniform', min: '0.2', max: '0.2' })['base_lr']).toBeUndefined();
    expect(random({ mode: 'log-uniform', min: '0', max: '0.2' })['base_lr']).toEqual(['log-uniform needs min > 0']);
    expect(random({ mode: 'uniform', min: '0.1', max: '0.2' }, '')['$count']).toEqual(['must be a positive integer']);
  });

  test('a grid larger than a sweep may be is refused before any request', () => {
    const values = Array.from({ length: 40 }, (_, i) => String(i + 1)).join(',');
    const built = build(form({}, { sim_coeff: { mode: 'values', values }, std_coeff: { mode: 'values', values } }));
    expect(built.errors['$search']?.join(' ')).toMatch(/the grid has 1600 points; at most 1000/);
  });
});
