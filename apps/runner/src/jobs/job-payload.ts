import { UnrecoverableError } from 'bullmq';

/** The part of a zod schema this needs (libs/contracts owns zod). */
interface PayloadSchema<T> {
  safeParse(
    data: unknown,
  ):
    | { success: true; data: T }
    | { success: false; error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> } };
}

/**
 * Validate a job payload with its catalogue schema. A bad payload can never succeed, so it fails the job at
 * once (UnrecoverableError: no retry) with every offending field named.
 */
export function parseJobPayload<T>(queue: string, schema: PayloadSchema<T>, data: unknown): T {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issues = result.error.issues.map(
    (issue) => `${issue.path.map(String).join('.') || '(payload)'}: ${issue.message}`,
  );
  throw new UnrecoverableError(`invalid ${queue} job payload: ${issues.join('; ')}`);
}
