import type { Command } from 'commander';
import { cliEnvSchema, parseEnv } from '@equilab/contracts';
import { CliUsageError } from './train.command';
import { EquilabApiClient } from './equilab-api.client';

/** `--api-url` / `--token` as commander hands them over. */
export interface ApiAccessOptions {
  apiUrl?: string;
  token?: string;
}

export function addApiAccessOptions(command: Command): Command {
  return command
    .option('--api-url <url>', 'Equilab API root (default $EQUILAB_API_URL or http://127.0.0.1:4000)')
    .option('--token <token>', 'user API token (default $EQUILAB_TOKEN)');
}

/** The API client for these options; the environment (EQUILAB_API_URL, EQUILAB_TOKEN) is parsed once here. */
export function resolveApiAccess(options: ApiAccessOptions, env: NodeJS.ProcessEnv = process.env): EquilabApiClient {
  const parsed = parseEnv('equilab', cliEnvSchema, env);
  const baseUrl = options.apiUrl ?? parsed.EQUILAB_API_URL;
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new CliUsageError('--api-url', `not a URL: '${baseUrl}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliUsageError('--api-url', `expected http(s), got '${baseUrl}'`);
  const token = options.token ?? parsed.EQUILAB_TOKEN;
  if (!token) throw new CliUsageError('--token', 'required: a user API token (node apps/api/dist/cli/token.js create), or set EQUILAB_TOKEN');
  return new EquilabApiClient({ baseUrl, token });
}
