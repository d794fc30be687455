import { MAX_JSON_DEPTH } from '@equilab/contracts';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { AppError } from './app-error';
import { errorBody } from './exception.filter';

/**
 * The top-level field of `value` under which objects and arrays nest deeper than `max` levels ('' for the body
 * itself), or null. Iterative, so a 10,000-deep body cannot overflow the stack here.
 */
export function overlyNestedField(value: unknown, max: number): string | null {
  const stack: { node: unknown; depth: number; field: string }[] = [{ node: value, depth: 0, field: '' }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { node, depth, field } = item;
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= max) return field;
    for (const [key, child] of Object.entries(node)) stack.push({ node: child, depth: depth + 1, field: depth === 0 ? key : field });
  }
  return null;
}

/**
 * JSON bodies with a size and a nesting limit. body-parser errors happen before Nest's pipeline, so an Express
 * error handler right behind the parser turns them into the API's error body: malformed JSON → 400 `bad_json`,
 * too large → 413 `payload_too_large`, nested deeper than MAX_JSON_DEPTH → 400 naming the top-level field.
 */
export function installJsonBody(app: Express, limitBytes: number): void {
  app.use(express.json({ limit: limitBytes }));
  const checkDepth: RequestHandler = (req, _res, next) => {
    const field = overlyNestedField(req.body, MAX_JSON_DEPTH);
    next(field === null ? undefined : AppError.field(field, `nests objects or arrays deeper than ${MAX_JSON_DEPTH} levels`));
  };
  app.use(checkDepth);
  const onParseError: ErrorRequestHandler = (err: { type?: string; status?: number; message?: string }, _req, res, next) => {
    let error: AppError | null = err instanceof AppError ? err : null;
    if (err.type === 'entity.too.large') error = new AppError('payload_too_large', `request body exceeds ${limitBytes} bytes`);
    else if (err.type === 'entity.parse.failed') error = new AppError('bad_json', `malformed JSON body: ${err.message ?? ''}`.trim());
    else if (!error && typeof err.status === 'number' && err.status >= 400 && err.status < 500) error = new AppError('validation', err.message ?? 'bad request body');
    if (!error) {
      next(err);
      return;
    }
    res.status(error.status).json(errorBody(error));
  };
  app.use(onParseError);
}
