import { ashaOptionsSchema, MAX_REPLICATES, searchParamSchema, type AshaOptions, type CreateRun, type CreateSweep, type ErrorIssue, type SearchParam } from '@equilab/contracts';
import { SEED_KEY, searchIssues, setPath, type ConfigObject } from '@equilab/sweeps';
import type { z } from 'zod';
import type { FieldSpec } from './method-schema';

export type FieldMode = 'fixed' | 'values' | 'uniform' | 'log-uniform' | 'int-uniform';

export interface FieldState {
  mode: FieldMode;
  /** Fixed value as typed. */
  value: string;
  /** Comma-separated values (grid values, or random choice). */
  values: string;
  min: string;
  max: string;
}

/** The ASHA options as typed (`asha.*` of the request). */
export interface AshaFormState {
  minEpochs: string;
  maxEpochs: string;
  eta: string;
  maxRuns: string;
  brackets: string;
  metric: string;
  mode: 'min' | 'max';
}

export const initialAshaState: AshaFormState = { minEpochs: '1', maxEpochs: '16', eta: '4', maxRuns: '16', brackets: '1', metric: 'Loss/Total', mode: 'min' };

export interface SweepFormState {
  kind: 'sweep' | 'run';
  name: string;
  method: string;
  strategy: 'grid' | 'random' | 'asha';
  count: string;
  /** Seeds the searcher's draws (random, asha); the training seed is the config's `seed` field. */
  seed: string;
  /** Runs per configuration (seeds seed … seed+N−1 of the config's seed). */
  replicates?: string;
  asha?: AshaFormState;
  maxConcurrency: string;
  backend: string;
  fields: Record<string, FieldState>;
}

export type FieldErrors = Record<string, string[]>;

export function displayValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

export function initialFieldState(field: FieldSpec): FieldState {
  return { mode: 'fixed', value: displayValue(field.defaultValue), values: '', min: '', max: '' };
}

/** Parses one typed value according to the field kind; returns an error message instead on failure. */
export function parseValue(field: FieldSpec, raw: string): { ok: true; value: unknown } | { ok: false; error: string } {
  const text = raw.trim();
  switch (field.kind) {
    case 'number':
    case 'integer': {
      if (text === '') return { ok: false, error: 'is required (a number)' };
      const value = Number(text);
      if (!Number.isFinite(value)) return { ok: false, error: `“${text}” is not a number` };
      if (field.kind === 'integer' && !Number.isInteger(value)) return { ok: false, error: `“${text}” is not an integer` };
      return { ok: true, value };
    }
    case 'boolean':
      if (text === 'true' || text === 'false') return { ok: true, value: text === 'true' };
      return { ok: false, error: `“${text}” is not true or false` };
    case 'enum': {
      const option = field.options?.find((o) => String(o) === text);
      return option !== undefined ? { ok: true, value: option } : { ok: false, error: `“${text}” is not one of ${(field.options ?? []).join(', ')}` };
    }
    case 'string':
      return { ok: true, value: raw };
    case 'json':
      try {
        return { ok: true, value: JSON.parse(text) };
      } catch {
        return { ok: false, error: 'is not valid JSON' };
      }
  }
}

/** Splits a comma-separated list (JSON fields: a JSON array). */
export function splitValues(field: FieldSpec, raw: string): string[] {
  if (field.kind === 'json') {
    try {
      const parsed: unknown = JSON.parse(raw);
      return Array.isArray(parsed) ? parsed.map((v) => JSON.stringify(v)) : [raw];
    } catch {
      return [raw];
    }
  }
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function add(errors: FieldErrors, path: string, message: string): void {
  (errors[path] ??= []).push(message);
}

export interface BuiltRequest {
  errors: FieldErrors;
  baseConfig: Record<string, unknown>;
  searchSpace: Record<string, SearchParam>;
  /** The parsed ASHA options (strategy asha, no errors). */
  asha?: AshaOptions;
}

/** The typed ASHA options parsed by the contracts' schema; errors keyed `$asha.<field>`. */
function buildAsha(state: AshaFormState, errors: FieldErrors): AshaOptions | undefined {
  const numbers = ['minEpochs', 'maxEpochs', 'eta', 'maxRuns', 'brackets'] as const;
  const raw: Record<string, unknown> = { metric: state.metric, mode: state.mode };
  for (const key of numbers) raw[key] = state[key].trim() === '' ? undefined : Number(state[key]);
  const parsed = ashaOptionsSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) add(errors, `$asha.${issue.path.join('.')}`, issue.message);
  return undefined;
}

/**
 * Builds the overrides and search space from the form, validating every field on the client with the method
 * schema: each fixed value in the full config, and each grid value / range end substituted in turn.
 */
export function buildRequest(state: SweepFormState, fields: readonly FieldSpec[], defaults: Record<string, unknown>, schema: z.ZodType | undefined): BuiltRequest {
  const errors: FieldErrors = {};
  let baseConfig: ConfigObject = {};
  const searchSpace: Record<string, SearchParam> = {};
  let full: ConfigObject = defaults;
  const candidates: Array<{ path: string; label: string; value: unknown }> = [];

  for (const field of fields) {
    const fs = state.fields[field.path] ?? initialFieldState(field);
    const mode = state.kind === 'run' ? 'fixed' : fs.mode;
    if (mode === 'fixed') {
      const parsed = parseValue(field, fs.value);
      if (!parsed.ok) {
        add(errors, field.path, parsed.error);
        continue;
      }
      full = setPath(full, field.path, parsed.value);
      // The seed is always sent: the runs train with the seed the form shows (fixed for every configuration).
      if (field.path === SEED_KEY || JSON.stringify(parsed.value) !== JSON.stringify(field.defaultValue)) baseConfig = setPath(baseConfig, field.path, parsed.value);
    } else if (mode === 'values') {
      const raw = splitValues(field, fs.values);
      if (raw.length === 0) {
        add(errors, field.path, 'needs at least one value');
        continue;
      }
      const values: unknown[] = [];
      for (const text of raw) {
        const parsed = parseValue(field, text);
        if (!parsed.ok) add(errors, field.path, parsed.error);
        else {
          values.push(parsed.value);
          candidates.push({ path: field.path, label: `value ${text}`, value: parsed.value });
        }
      }
      if (new Set(values.map((v) => JSON.stringify(v))).size !== values.length) add(errors, field.path, 'has duplicate values');
      searchSpace[field.path] = { distribution: 'choice', values };
    } else {
      const min = Number(fs.min);
      const max = Number(fs.max);
      if (fs.min.trim() === '' || !Number.isFinite(min)) add(errors, field.path, 'min must be a number');
      if (fs.max.trim() === '' || !Number.isFinite(max)) add(errors, field.path, 'max must be a number');
      if (field.kind !== 'number' && field.kind !== 'integer') add(errors, field.path, `${mode} needs a numeric field`);
      if (errors[field.path]) continue;
      // The contracts' rules of a distribution (log-uniform: min > 0, int-uniform: integer bounds).
      const param = searchParamSchema.safeParse({ distribution: mode, min, max });
      if (!param.success) {
        for (const message of new Set(param.error.issues.map((issue) => issue.message))) add(errors, field.path, message);
        continue;
      }
      candidates.push({ path: field.path, label: `min ${min}`, value: min }, { path: field.path, label: `max ${max}`, value: max });
      searchSpace[field.path] = param.data;
    }
  }

  if (schema) {
    const result = schema.safeParse(full);
    if (!result.success) {
      for (const issue of result.error.issues) {
        const path = issue.path.join('.');
        const field = fields.find((f) => path === f.path || path.startsWith(`${f.path}.`)) ?? fields.find((f) => f.path.startsWith(`${path}.`));
        add(errors, field?.path ?? (path || '(config)'), issue.message);
      }
    }
    for (const candidate of candidates) {
      const result = schema.safeParse(setPath(full, candidate.path, candidate.value));
      if (result.success) continue;
      for (const issue of result.error.issues) {
        if (issue.path.join('.') === candidate.path) add(errors, candidate.path, `${candidate.label}: ${issue.message}`);
      }
    }
  }

  let asha: AshaOptions | undefined;
  if (state.kind === 'sweep') {
    if (!state.name.trim()) add(errors, '$name', 'is required');
    const count = Number(state.count);
    const countValid = Number.isInteger(count) && count >= 1;
    if (state.strategy === 'random' && !countValid) add(errors, '$count', 'must be a positive integer');
    const replicates = Number(state.replicates ?? '1');
    if (!Number.isInteger(replicates) || replicates < 1 || replicates > MAX_REPLICATES) add(errors, '$replicates', `must be an integer 1…${MAX_REPLICATES}`);
    if (state.strategy === 'asha') asha = buildAsha(state.asha ?? initialAshaState, errors);
    // The API's own rules of the strategy (libs/sweeps), so the form refuses what the dry run would.
    const fieldErrors = Object.keys(errors).some((k) => !k.startsWith('$'));
    if (state.strategy === 'asha' && !asha) return { errors, baseConfig, searchSpace };
    const issues = searchIssues(state.strategy, { searchSpace, seed: Number(state.seed), count: countValid ? count : undefined, asha });
    for (const [key, messages] of Object.entries(serverErrors(issues, fields))) {
      if (key === '$count' && !countValid) continue;
      if (key === '$search' && fieldErrors) continue;
      for (const message of messages) add(errors, key, message);
    }
  }
  for (const key of ['seed', 'maxConcurrency'] as const) {
    const value = Number(state[key]);
    if (state[key].trim() === '' || !Number.isInteger(value) || value < (key === 'seed' ? 0 : 1)) add(errors, `$${key}`, key === 'seed' ? 'must be an integer ≥ 0' : 'must be an integer ≥ 1');
  }
  return { errors, baseConfig, searchSpace, ...(asha ? { asha } : {}) };
}

export function sweepBody(state: SweepFormState, projectId: string, built: BuiltRequest, dryRun: boolean): CreateSweep {
  return {
    projectId,
    name: state.name.trim(),
    method: state.method,
    baseConfig: built.baseConfig,
    searchSpace: built.searchSpace,
    strategy: state.strategy,
    seed: Number(state.seed),
    ...(state.strategy === 'random' ? { count: Number(state.count) } : {}),
    replicates: Number(state.replicates ?? '1'),
    ...(state.strategy === 'asha' && built.asha ? { asha: built.asha } : {}),
    maxConcurrency: Number(state.maxConcurrency),
    backend: state.backend as CreateSweep['backend'],
    dryRun,
  };
}

export function runBody(state: SweepFormState, projectId: string, built: BuiltRequest): CreateRun {
  return {
    projectId,
    ...(state.name.trim() ? { name: state.name.trim() } : {}),
    method: state.method,
    // The training seed is the config's `seed` field (in baseConfig), as the form shows it.
    config: built.baseConfig,
    backend: state.backend as CreateRun['backend'],
  };
}

/** Maps API or libs/sweeps issues (`baseConfig.x`, `config.x`, `searchSpace.x.values.0`, `name`, …) onto form fields. */
export function serverErrors(issues: readonly ErrorIssue[], fields: readonly FieldSpec[]): FieldErrors {
  const errors: FieldErrors = {};
  const paths = fields.map((f) => f.path).sort((a, b) => b.length - a.length);
  for (const issue of issues) {
    const rest = issue.path.replace(/^(body\.)?(baseConfig|config|searchSpace)\./, '');
    const field = paths.find((p) => rest === p || rest.startsWith(`${p}.`));
    if (field) add(errors, field, issue.message);
    else if (['name', 'count', 'seed', 'maxConcurrency', 'strategy', 'replicates'].includes(issue.path) || issue.path.startsWith('asha')) add(errors, `$${issue.path}`, issue.message);
    else if (issue.path === 'searchSpace') add(errors, '$search', issue.message);
    else add(errors, '$general', issue.path ? `${issue.path}: ${issue.message}` : issue.message);
  }
  return errors;
}
