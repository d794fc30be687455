import { MAX_JSON_DEPTH, NUL_FREE, NUL_MESSAGE } from '@equilab/contracts';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { AppError } from './app-error';
import { errorBody } from './exception.filter';

/** Why a JSON body is refused before any handler sees it, and where (dotted path; '' for the body itself). */
export interface BodyProblem {
  readonly path: string;
  readonly message: string;
}

const path = (parent: string, key: string): string => (parent ? `${parent}.${key}` : key);

/**
 * The first thing no route accepts anywhere in a parsed JSON body, or null: objects or arrays nested deeper than
 * `maxDepth` (named by the top-level field, as a sweep's `baseConfig`), a NUL character in a string or a key
 * (PostgreSQL text and jsonb cannot hold it: the free-form configs are stored as jsonb), or a `__proto__` key
 * (JSON.parse makes it an own property; copying it onto a plain object would replace that object's prototype).
 * Iterative, so a 10,000-deep body cannot overflow the stack here.
 */
export function bodyProblem(value: unknown, maxDepth: number): BodyProblem | null {
  const stack: { node: unknown; depth: number; path: string }[] = [{ node: value, depth: 0, path: '' }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { node, depth } = item;
    if (typeof node === 'string') {
      if (!NUL_FREE.test(node)) return { path: item.path, message: NUL_MESSAGE };
      continue;
    }
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= maxDepth) return { path: item.path.split('.')[0] ?? '', message: `nests objects or arrays deeper than ${maxDepth} levels` };
    for (const [key, child] of Object.entries(node)) {
      const at = path(item.path, key);
      if (key === '__proto__') return { path: at, message: 'the field name __proto__ is not allowed' };
      if (!NUL_FREE.test(key)) return { path: path(item.path, JSON.stringify(key).slice(1, -1)), message: `the field name ${NUL_MESSAGE}` };
      stack.push({ node: child, depth: depth + 1, path: at });
    }
  }
  return null;
}

/**
 * JSON bodies with a size and a nesting limit. body-parser errors happen before Nest's pipeline, so an Express
 * error handler right behind the parser turns them into the API's error body: malformed JSON → 400 `bad_json`,
 * too large → 413 `payload_too_large`; a body `bodyProblem` refuses → 400 naming the field.
 */
export function installJsonBody(app: Express, limitBytes: number): void {
  app.use(express.json({ limit: limitBytes }));
  const checkBody: RequestHandler = (req, _res, next) => {
    const problem = bodyProblem(req.body, MAX_JSON_DEPTH);
    next(problem === null ? undefined : AppError.field(problem.path, problem.message));
  };
  app.use(checkBody);
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
