import { AppError } from './app-error';

/** Prisma's codes for a database it cannot reach, lost, timed out on, or that has no connection to spare. */
const PRISMA_UNAVAILABLE = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2037']);
/** The driver adapter's error kinds behind the same (raw queries report them as P2010). */
const ADAPTER_UNAVAILABLE = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
/** Socket errors of a connection that could not be made or was lost. */
const SOCKET_UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** PostgreSQL: connection exceptions (class 08), shutting down or starting up (57P01–57P03), too many connections. */
const SQLSTATE_UNAVAILABLE = /^(08...|57P0[123]|53300)$/;
/** node-postgres' own messages for a connection that ended or never came up. */
const PG_UNAVAILABLE = /Connection terminated|is not queryable|timeout exceeded when trying to connect/;

type Fields = { code?: unknown; name?: unknown; message?: unknown; meta?: unknown };

function adapterKind(meta: unknown): unknown {
  if (!meta || typeof meta !== 'object' || !('driverAdapterError' in meta)) return undefined;
  const adapterError = (meta as { driverAdapterError?: { cause?: { kind?: unknown } } }).driverAdapterError;
  return adapterError?.cause?.kind;
}

function databaseUnavailable(e: Fields): boolean {
  const code = typeof e.code === 'string' ? e.code : '';
  return (
    PRISMA_UNAVAILABLE.has(code) ||
    ADAPTER_UNAVAILABLE.has(String(adapterKind(e.meta))) ||
    SOCKET_UNAVAILABLE.has(code) ||
    SQLSTATE_UNAVAILABLE.test(code) ||
    (typeof e.message === 'string' && PG_UNAVAILABLE.test(e.message))
  );
}

/** ioredis: a command given up on while Redis is unreachable. */
function redisUnavailable(e: Fields): boolean {
  return e.name === 'MaxRetriesPerRequestError' || e.message === 'Connection is closed.';
}

/**
 * A 503 `unavailable` AppError when `error` says PostgreSQL or Redis cannot be reached right now (a request
 * that failed for that reason may succeed when retried), else null. Covers Prisma's errors, node-postgres'
 * (the metric writes' pool) and ioredis' (BullMQ, pub/sub).
 */
export function unavailableDependency(error: unknown): AppError | null {
  if (!error || typeof error !== 'object') return null;
  const fields = error as Fields;
  if (redisUnavailable(fields)) return new AppError('unavailable', 'the queue (Redis) is unavailable; retry later');
  if (databaseUnavailable(fields)) return new AppError('unavailable', 'the database is unavailable; retry later');
  return null;
}
