import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { ErrorBody, ErrorCode } from '@equilab/contracts';
import type { Response } from 'express';
import { ZodError } from 'zod';
import { AppError, zodIssues } from './app-error';
import { unavailableDependency } from './unavailable';

const statusCodes: Record<number, ErrorCode> = {
  400: 'validation',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  429: 'rate_limited',
  503: 'unavailable',
};

/** Prisma known request errors → AppError (no import of the generated client needed). */
function fromPrisma(error: unknown): AppError | null {
  if (!error || typeof error !== 'object' || !('code' in error)) return null;
  const code = (error).code;
  if (code === 'P2025') return new AppError('not_found', 'record not found');
  if (code === 'P2002') return new AppError('conflict', 'a record with these unique fields already exists');
  if (code === 'P2003') return new AppError('not_found', 'a referenced record does not exist');
  if (code === '23503') return new AppError('not_found', 'a referenced record does not exist');
  return null;
}

export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof ZodError) return AppError.validation(zodIssues(error));
  // Express's router could not percent-decode a path parameter (`/runs/%zz`); every route's parameter is `id`.
  if (error instanceof URIError || (error instanceof Error && /^Failed to decode param/.test(error.message))) {
    return AppError.field('id', `${error.message}: not a valid percent-encoded path segment`);
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const code = statusCodes[status] ?? (status >= 500 ? 'internal' : 'validation');
    return new AppError(code, error.message);
  }
  return unavailableDependency(error) ?? fromPrisma(error) ?? new AppError('internal', 'internal error');
}

export function errorBody(error: AppError): ErrorBody {
  return { error: { code: error.code, message: error.message, ...(error.issues ? { issues: [...error.issues] } : {}) } };
}

/** Seconds a client is asked to wait before retrying a 503 (`Retry-After`). */
const RETRY_AFTER_SECONDS = 5;
/** A dependency outage is logged once per this many milliseconds, not once per request. */
const UNAVAILABLE_LOG_EVERY_MS = 30_000;

/** Every error leaves the API as `{ error: { code, message, issues? } }` with the code's status. */
@Catch()
export class AppExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');
  private lastUnavailableLog = 0;

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const response = host.switchToHttp().getResponse<Response>();
    const error = toAppError(exception);
    if (error.code === 'internal') this.logger.error(exception instanceof Error ? exception.stack ?? exception.message : String(exception));
    if (error.code === 'unavailable') this.logUnavailable(error, exception);
    if (response.headersSent) {
      // A download that fails half-way (an export) is aborted, never ended as if it were complete: the client sees
      // a broken transfer instead of a file silently missing its rest.
      response.destroy(exception instanceof Error ? exception : undefined);
      return;
    }
    if (error.code === 'unavailable') response.setHeader('retry-after', String(RETRY_AFTER_SECONDS));
    response.status(error.status).json(errorBody(error));
  }

  private logUnavailable(error: AppError, exception: unknown): void {
    const now = Date.now();
    if (now - this.lastUnavailableLog < UNAVAILABLE_LOG_EVERY_MS) return;
    this.lastUnavailableLog = now;
    const cause = exception instanceof Error ? exception.message.trim().split('\n').at(-1) : String(exception);
    this.logger.warn(`${error.message} (answering 503): ${cause}`);
  }
}
