import { pino, type Logger } from 'pino';
import type { RunnerEnv } from '@equilab/contracts';

export type { Logger };

/**
 * The runner's pino logger, the same line format as the API's (nestjs-pino): one JSON object per line with
 * `level`, `time`, `msg`, the runner's name and, for a run's lines, `runId` and `jobId`. pino-pretty (a dev
 * dependency) only when LOG_FORMAT=pretty, or NODE_ENV=development without LOG_FORMAT.
 */
export function createLogger(env: Pick<RunnerEnv, 'LOG_LEVEL' | 'LOG_FORMAT' | 'NODE_ENV'>, bindings: Record<string, string> = {}): Logger {
  const pretty = (env.LOG_FORMAT ?? (env.NODE_ENV === 'development' ? 'pretty' : 'json')) === 'pretty';
  const logger = pino({
    level: env.LOG_LEVEL,
    base: { pid: process.pid, ...bindings },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } } } : {}),
  });
  return logger;
}
