import { safeParseMethodConfig, type ErrorIssue, type MethodConfigIssue, type MethodConfigResult, type MethodRun } from '@equilab/contracts';
import { AppError } from '../common/app-error';

/**
 * Parses a run's method and config overrides with the contracts' method schemas. Called once, where a config
 * enters the API (`POST /runs`, each run of `POST /sweeps`), into the contracts' method-discriminated MethodRun;
 * everything after it passes the typed result on.
 */
export function parseRunConfig(method: string, overrides: unknown): MethodConfigResult<MethodRun> {
  const result = safeParseMethodConfig(method, overrides);
  // Success means `method` is a method name and `result.data` that method's config.
  return result.success ? { success: true, data: { method, config: result.data } as MethodRun } : result;
}

/**
 * The 400 for a `POST /runs` whose config does not parse: config fields under `config.`, the method's name as
 * `method` (an issue at `method` that no override wrote is about the name).
 */
export function runConfigError(issues: readonly MethodConfigIssue[], overrides: Readonly<Record<string, unknown>>): AppError {
  return AppError.validation(
    issues.map((issue): ErrorIssue => {
      const path = issue.path.map(String);
      const isName = path.length === 1 && path[0] === 'method' && !Object.hasOwn(overrides, 'method');
      return { path: isName ? 'method' : ['config', ...path].join('.'), message: issue.message };
    }),
  );
}
