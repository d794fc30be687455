import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { DestinationStream, LevelWithSilent } from 'pino';
import type { ApiEnv } from '../config/api-env';

/** Nest's level names → pino's. */
const PINO_LEVEL: Record<ApiEnv['LOG_LEVEL'], LevelWithSilent> = { error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' };

/** A request id a client or proxy may send (x-request-id): kept when it is short and plain, replaced otherwise. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request id of a request: the caller's `x-request-id` when acceptable, else a new UUID; echoed in the response. */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const sent = req.headers['x-request-id'];
  const id = typeof sent === 'string' && REQUEST_ID.test(sent) ? sent : randomUUID();
  res.setHeader('x-request-id', id);
  return id;
}

export interface LogOptions {
  /** false: no logs at all (tests). */
  readonly enabled?: boolean;
  /** Where JSON lines go instead of stdout (tests read them). */
  readonly destination?: DestinationStream;
}

/**
 * nestjs-pino's configuration: one JSON object per line (`level`, `time`, `msg`, `context`, and for HTTP
 * `req.id` / `reqId`, `runId` on run routes, `res.statusCode`, `responseTime`); pino-pretty only when
 * LOG_FORMAT=pretty or NODE_ENV=development. Authorization headers and cookies are never logged.
 */
export function loggerParams(env: ApiEnv, options: LogOptions = {}): Params {
  const pretty = (env.LOG_FORMAT ?? (env.NODE_ENV === 'development' ? 'pretty' : 'json')) === 'pretty';
  const httpOptions = {
    level: options.enabled === false ? 'silent' : PINO_LEVEL[env.LOG_LEVEL],
    genReqId: requestId,
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) =>
      error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    ...(pretty && !options.destination ? { transport: { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } } } : {}),
  };
  return {
    pinoHttp: options.destination ? [httpOptions, options.destination] : httpOptions,
    assignResponse: true,
  };
}
