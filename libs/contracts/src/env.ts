import { z } from 'zod';

/** Thrown when the environment does not satisfy an app's schema; lists every offending variable. */
export class EnvError extends Error {
  constructor(
    readonly app: string,
    readonly issues: readonly string[],
  ) {
    super(`${app}: invalid environment:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'EnvError';
  }
}

/**
 * Parse `env` once at start-up with `schema`; on failure throw an EnvError naming every missing or
 * invalid variable. Nothing else in an app reads `process.env`.
 */
export function parseEnv<S extends z.ZodType>(app: string, schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(root)';
    const value = env[String(issue.path[0])];
    return value === undefined ? `${name}: missing (${issue.message})` : `${name}: ${issue.message}`;
  });
  throw new EnvError(app, issues);
}

const url = (protocols: readonly string[]) =>
  z.string().refine((value) => {
    try {
      return protocols.includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, `must be a URL with protocol ${protocols.join(' or ')}`);

export const databaseUrl = url(['postgres:', 'postgresql:']).default('postgresql://postgres@127.0.0.1:5432/equilab');
export const redisUrl = url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379');
const port = z.coerce.number().int().min(1).max(65535);

export const apiEnvSchema = z.object({
  DATABASE_URL: databaseUrl,
  REDIS_URL: redisUrl,
  API_PORT: port.default(4000),
  API_HOST: z.string().default('127.0.0.1'),
  ARTIFACT_DIR: z.string().default('./var/artifacts'),
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
  /** Dataset root passed to runners in job payloads when a run does not name one. */
  DATA_ROOT: z.string().default('./var/data/3diebench'),
  /** BullMQ key prefix (tests use their own). */
  QUEUE_PREFIX: z.string().min(1).default('bull'),
  /** Prefix of the socket.io Redis adapter channels (tests use their own). */
  SOCKET_CHANNEL_PREFIX: z.string().min(1).default('equilab-socket'),
  /** Requests per token per minute before 429. */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(6000),
  /** JSON body limit (bytes) — a 10,000-point metric batch is ~800 kB. */
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(4 * 1024 * 1024),
  /** A runner whose last heartbeat is older than this is shown offline. */
  RUNNER_OFFLINE_AFTER_SECONDS: z.coerce.number().int().min(1).default(60),
});
export type ApiEnv = z.output<typeof apiEnvSchema>;

export const runnerEnvSchema = z.object({
  REDIS_URL: redisUrl,
  API_URL: url(['http:', 'https:']).default('http://127.0.0.1:4000'),
  RUNNER_NAME: z.string().min(1).optional(),
  RUNNER_DEVICES: z.coerce.number().int().min(1).default(1),
  RUNNER_BACKEND: z.enum(['auto', 'wasm', 'cpu', 'tensorflow', 'tensorflow-gpu']).default('wasm'),
  ARTIFACT_DIR: z.string().default('./var/artifacts'),
  SPILL_DIR: z.string().default('./var/spill'),
});
export type RunnerEnv = z.output<typeof runnerEnvSchema>;
