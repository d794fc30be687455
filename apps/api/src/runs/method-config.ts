import * as contracts from '@equilab/contracts';
import { z } from 'zod';
import { AppError, zodIssues } from '../common/app-error';

/**
 * Validates a run's config against its method's zod schema from the contracts' method registry
 * (`methodConfigSchemas`: method name → schema of the full config, defaults applied by parsing). Until the
 * registry exists, a placeholder accepts any method name of lowercase words and any JSON object config.
 */
type MethodRegistry = Record<string, z.ZodType>;

const placeholderMethod = z.string().regex(/^[a-z0-9][a-z0-9+_-]*$/, 'must be a method name');
const placeholderConfig = z.record(z.string(), z.unknown());

function registry(): MethodRegistry | null {
  const candidate = (contracts as Record<string, unknown>)['methodConfigSchemas'];
  if (!candidate || typeof candidate !== 'object') return null;
  return candidate as MethodRegistry;
}

export function methodNames(): string[] | null {
  const r = registry();
  return r ? Object.keys(r) : null;
}

/**
 * The resolved config of `method` with `overrides`, or a 400 naming each field (paths prefixed with
 * `configPath`, e.g. `config.optimizer.lr`).
 */
export function resolveMethodConfig(
  method: string,
  overrides: Record<string, unknown>,
  configPath: readonly string[] = ['config'],
  methodPath: readonly string[] = ['method'],
): Record<string, unknown> {
  const r = registry();
  if (!r) {
    const m = placeholderMethod.safeParse(method);
    if (!m.success) throw AppError.validation(zodIssues(m.error, methodPath));
    const c = placeholderConfig.safeParse(overrides);
    if (!c.success) throw AppError.validation(zodIssues(c.error, configPath));
    return c.data;
  }
  const schema = r[method];
  if (!schema) {
    throw AppError.field(methodPath.join('.'), `unknown method ${JSON.stringify(method)}; expected one of ${Object.keys(r).join(', ')}`);
  }
  const result = schema.safeParse(overrides);
  if (!result.success) throw AppError.validation(zodIssues(result.error, configPath));
  return result.data as Record<string, unknown>;
}
