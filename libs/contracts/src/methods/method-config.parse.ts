import type { z } from 'zod';
import { isMethodName, methodNames, type MethodName } from './method-names';
import { methodConfigSchemas, type AnyMethodConfig, type MethodConfig } from './method-config.schemas';

export interface MethodConfigIssue {
  /** Field path inside the config (`['equi']`), or `['method']` for an unknown method. */
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** A method config that cannot be used; `issues` name the fields. Maps to HTTP 400 / CLI exit ≠ 0. */
export class MethodConfigError extends Error {
  constructor(
    readonly method: string,
    readonly issues: readonly MethodConfigIssue[],
  ) {
    super(
      `invalid config for method '${method}': ` +
        issues.map((i) => `${i.path.length ? i.path.join('.') : '(config)'}: ${i.message}`).join('; '),
    );
    this.name = 'MethodConfigError';
  }
}

export type MethodConfigResult<C> =
  | { readonly success: true; readonly data: C }
  | { readonly success: false; readonly issues: readonly MethodConfigIssue[] };

function toIssues(error: z.ZodError): MethodConfigIssue[] {
  return error.issues.flatMap((i): MethodConfigIssue[] => {
    const path = i.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    if (i.code === 'unrecognized_keys')
      return i.keys.map((k) => ({ path: [...path, k], message: `unknown option '${k}' for this method` }));
    return [{ path, message: i.message }];
  });
}

/** Validates `overrides` against the method's schema and applies defaults, without throwing. */
export function safeParseMethodConfig<N extends MethodName>(
  name: N,
  overrides?: unknown,
): MethodConfigResult<MethodConfig<N>>;
export function safeParseMethodConfig(name: string, overrides?: unknown): MethodConfigResult<AnyMethodConfig>;
export function safeParseMethodConfig(
  name: string,
  overrides?: unknown,
): MethodConfigResult<AnyMethodConfig> {
  if (!isMethodName(name))
    return {
      success: false,
      issues: [
        {
          path: ['method'],
          message: `unknown method '${String(name)}'; expected one of ${methodNames.join(', ')}`,
        },
      ],
    };
  const input = overrides ?? {};
  const result = (methodConfigSchemas[name] as z.ZodType<AnyMethodConfig>).safeParse(input);
  return result.success
    ? { success: true, data: result.data }
    : { success: false, issues: toIssues(result.error) };
}

/** The method's resolved config (defaults applied); throws MethodConfigError naming the fields. */
export function parseMethodConfig<N extends MethodName>(name: N, overrides?: unknown): MethodConfig<N>;
export function parseMethodConfig(name: string, overrides?: unknown): AnyMethodConfig;
export function parseMethodConfig(name: string, overrides?: unknown): AnyMethodConfig {
  const result = safeParseMethodConfig(name, overrides);
  if (!result.success) throw new MethodConfigError(name, result.issues);
  return result.data;
}

/** The method's defaults. */
export function methodDefaults<N extends MethodName>(name: N): MethodConfig<N>;
export function methodDefaults(name: string): AnyMethodConfig;
export function methodDefaults(name: string): AnyMethodConfig {
  return parseMethodConfig(name, {});
}
