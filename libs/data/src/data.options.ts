import type { z } from 'zod';
import { DataError } from './data.error';

/** Validate `input` against a contracts schema; the first issue becomes a DataError naming the field. */
export function parseDataOptions<S extends z.ZodType>(schema: S, input: unknown, what = 'options'): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : what;
  throw new DataError('INVALID_OPTION', field, issue?.message ?? 'invalid');
}
