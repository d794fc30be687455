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
/** A listener's port: 1-65535, `0` for an ephemeral one (tests), `off` for none. */
const optionalPort = z.union([z.literal('off'), z.coerce.number().int().min(0).max(65535)]);
/** `json` (one pino object a line) or `pretty` (pino-pretty, for a terminal); unset: pretty only when NODE_ENV=development. */
const logFormat = z.enum(['json', 'pretty']).optional();

export const apiEnvSchema = z.object({
  DATABASE_URL: databaseUrl,
  REDIS_URL: redisUrl,
  API_PORT: port.default(4000),
  API_HOST: z.string().default('127.0.0.1'),
  ARTIFACT_DIR: z.string().default('./var/artifacts'),
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
  /** Dataset root passed to runners in job payloads when a run does not name one. */
  DATA_ROOT: z.string().default('./data/mini'),
  /** BullMQ key prefix (tests use their own). */
  QUEUE_PREFIX: z.string().min(1).default('bull'),
  /** Prefix of the socket.io Redis adapter channels (tests use their own). */
  SOCKET_CHANNEL_PREFIX: z.string().min(1).default('equilab-socket'),
  /** Requests per token per minute before 429. */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(6000),
  /** Failed authentications (missing, unknown, revoked or expired token) per client IP per minute before 429. */
  AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  /**
   * Browser origins allowed to call the API cross-origin (CORS, REST and socket.io), comma separated, e.g.
   * `https://equilab.example.org`. Empty (default): none — the dashboard proxies /api through its own origin.
   */
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((origin) => origin.trim()).filter((origin) => origin.length > 0))
    .pipe(
      z.array(
        z.string().refine((origin) => {
          try {
            const u = new URL(origin);
            return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === origin;
          } catch {
            return false;
          }
        }, 'each origin must be scheme://host[:port] with no path or trailing slash'),
      ),
    ),
  /** JSON body limit (bytes) — a 10,000-point metric batch is ~800 kB. */
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(4 * 1024 * 1024),
  /** A runner whose last heartbeat is older than this is shown offline. */
  RUNNER_OFFLINE_AFTER_SECONDS: z.coerce.number().int().min(1).default(60),
  /**
   * Prometheus `GET /metrics` is served on its own unauthenticated listener (METRICS_HOST:METRICS_PORT), never on
   * the API port: expose it to the scraper only (k8s network policy), not through the ingress.
   */
  METRICS_PORT: optionalPort.default(9464),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  LOG_FORMAT: logFormat,
  NODE_ENV: z.string().optional(),
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
  /** Runner token (scope `runner`) for `POST /api/runners` and heartbeats. */
  API_TOKEN: z.string().min(1),
  /** Per-run work folders the training children write to (synced to the artifact store). */
  WORK_DIR: z.string().default('./var/work'),
  /** BullMQ key prefix: must equal the API's. */
  QUEUE_PREFIX: z.string().min(1).default('bull'),
  /** Queues this runner consumes, comma separated. */
  RUNNER_QUEUES: z
    .string()
    .default('pretrain,evaluate')
    .transform((value) => value.split(',').map((queue) => queue.trim()).filter((queue) => queue.length > 0))
    .pipe(z.array(z.enum(['pretrain', 'evaluate'])).min(1)),
  /** BullMQ job lock: a runner that stops renewing it (SIGKILL) loses the job after this long. */
  RUNNER_LOCK_DURATION_MS: z.coerce.number().int().min(500).default(30_000),
  /** How often each runner looks for stalled jobs (lock expired) and puts them back in the queue. */
  RUNNER_STALLED_INTERVAL_MS: z.coerce.number().int().min(200).default(15_000),
  /** Stalls (runner crashes) a job survives before it fails. */
  RUNNER_MAX_STALLED_COUNT: z.coerce.number().int().min(0).default(5),
  RUNNER_HEARTBEAT_MS: z.coerce.number().int().min(100).default(5_000),
  /** Metric batches: sent every METRICS_FLUSH_MS or when METRICS_BATCH_SIZE points are waiting. */
  METRICS_FLUSH_MS: z.coerce.number().int().min(10).default(500),
  METRICS_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(1000),
  /** Points kept in memory per run before they spill to SPILL_DIR. */
  METRICS_MEMORY_LIMIT: z.coerce.number().int().min(1).default(20_000),
  /** Data-loading workers passed to the trainer. */
  RUNNER_DATA_WORKERS: z.coerce.number().int().min(0).default(1),
  /**
   * Compiled training-child entry the runner forks; default the runner's own `dist/child/child.main.js` (trains
   * with libs/sie). The runner's tests fork `dist/testing/stub-child.main.js` (the same child, a stand-in trainer).
   */
  RUNNER_CHILD_ENTRY: z.string().min(1).max(4096).optional(),
  /** Prometheus `GET /metrics` of this runner (unauthenticated; `off` for none, `0` for an ephemeral port). */
  RUNNER_METRICS_PORT: optionalPort.default(9465),
  RUNNER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  LOG_FORMAT: logFormat,
  NODE_ENV: z.string().optional(),
});
export type RunnerEnv = z.output<typeof runnerEnvSchema>;

/** The `equilab` command line's API access (`equilab import|export …`): `--api-url` / `--token` override these. */
export const cliEnvSchema = z.object({
  EQUILAB_API_URL: url(['http:', 'https:']).default('http://127.0.0.1:4000'),
  /** A user API token (`node apps/api/dist/cli/token.js create`); empty = unset. */
  EQUILAB_TOKEN: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(1).optional()),
});
export type CliEnv = z.output<typeof cliEnvSchema>;

export const webEnvSchema = z
  .object({
    /** The API the dashboard's server forwards `/api` and `/socket.io` to (so one build serves any API). */
    API_URL: url(['http:', 'https:']).optional(),
    /** Accepted as a fallback for API_URL. */
    NEXT_PUBLIC_API_URL: url(['http:', 'https:']).optional(),
  })
  .transform((env) => ({ apiUrl: env.API_URL ?? env.NEXT_PUBLIC_API_URL ?? 'http://127.0.0.1:4000' }));
export type WebEnv = z.output<typeof webEnvSchema>;
