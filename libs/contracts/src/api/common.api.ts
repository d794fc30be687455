import { z } from 'zod';

/** Every error response body: `{ error: { code, message, issues? } }`. */
export const errorCodeSchema = z.enum([
  'validation',
  'bad_json',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'illegal_transition',
  'payload_too_large',
  'rate_limited',
  'unavailable',
  'internal',
]);
export type ErrorCode = z.infer<typeof errorCodeSchema>;

/** HTTP status of each error code. */
export const errorStatus: Record<ErrorCode, number> = {
  validation: 400,
  bad_json: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  illegal_transition: 409,
  payload_too_large: 413,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

export const errorIssueSchema = z.object({
  /** Dotted path of the offending field, e.g. `config.optimizer.lr` or `points.3.step`. */
  path: z.string(),
  message: z.string(),
});
export type ErrorIssue = z.infer<typeof errorIssueSchema>;

export const errorBodySchema = z.object({
  error: z.object({
    code: errorCodeSchema,
    message: z.string(),
    issues: z.array(errorIssueSchema).optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

export const idParamSchema = z.object({ id: z.string().uuid() });


/**
 * Deepest nesting of objects and arrays a JSON body may have (a body nested deeper is answered 400); also the most
 * segments a dotted config path may have.
 */
export const MAX_JSON_DEPTH = 32;

/** Cursor pagination: pass `nextCursor` back as `cursor` (the id, a UUID, of the last item of the previous page). */
export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().uuid().optional(),
});

export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const isoDate = z.string().datetime({ offset: true });
