import express, { type ErrorRequestHandler, type Express } from 'express';
import { AppError } from './app-error';
import { errorBody } from './exception.filter';

/**
 * JSON bodies with a size limit. body-parser errors happen before Nest's pipeline, so an Express error
 * handler right behind the parser turns them into the API's error body: malformed JSON → 400 `bad_json`,
 * too large → 413 `payload_too_large`.
 */
export function installJsonBody(app: Express, limitBytes: number): void {
  app.use(express.json({ limit: limitBytes }));
  const onParseError: ErrorRequestHandler = (err: { type?: string; status?: number; message?: string }, _req, res, next) => {
    let error: AppError | null = null;
    if (err.type === 'entity.too.large') error = new AppError('payload_too_large', `request body exceeds ${limitBytes} bytes`);
    else if (err.type === 'entity.parse.failed') error = new AppError('bad_json', `malformed JSON body: ${err.message ?? ''}`.trim());
    else if (typeof err.status === 'number' && err.status >= 400 && err.status < 500) error = new AppError('validation', err.message ?? 'bad request body');
    if (!error) {
      next(err);
      return;
    }
    res.status(error.status).json(errorBody(error));
  };
  app.use(onParseError);
}
