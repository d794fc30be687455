import { apiEnvSchema, parseEnv, type ApiEnv } from '@equilab/contracts';

/** DI token of the typed, parsed environment. */
export const API_ENV = Symbol('API_ENV');
export type { ApiEnv };

export function loadApiEnv(env: NodeJS.ProcessEnv = process.env): ApiEnv {
  return parseEnv('api', apiEnvSchema, env);
}
