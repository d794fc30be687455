import { errorStatus, type ErrorCode, type ErrorIssue } from '@equilab/contracts';
import type { z } from 'zod';

/** The API's one error type: a code from the contracts' enum (mapped onto an HTTP status), a message, field issues. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: readonly ErrorIssue[],
  ) {
    super(message);
    this.name = 'AppError';
  }

  get status(): number {
    return errorStatus[this.code];
  }

  static notFound(what: string, id: string): AppError {
    return new AppError('not_found', `${what} ${id} not found`);
  }

  static validation(issues: readonly ErrorIssue[]): AppError {
    const summary = issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ');
    return new AppError('validation', `invalid input: ${summary}`, issues);
  }

  static field(path: string, message: string): AppError {
    return AppError.validation([{ path, message }]);
  }
}

/** One issue per failing field; an unknown field is named itself (zod reports unknown keys at their object's path). */
export function zodIssues(error: z.ZodError, prefix: readonly PropertyKey[] = []): ErrorIssue[] {
  const join = (path: readonly PropertyKey[]): string => [...prefix, ...path].map(String).join('.');
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: join([...issue.path, key]), message: 'unknown field' }))
      : [{ path: join(issue.path), message: issue.message }],
  );
}

/** Parse `input` with `schema` or throw a 400 AppError naming each failing field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, prefix: readonly PropertyKey[] = []): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw AppError.validation(zodIssues(result.error, prefix));
}
