import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { EnvError } from '@equilab/contracts';
import { createApp } from './app.factory';
import { loadApiEnv } from './config/api-env';

async function main(): Promise<void> {
  const env = loadApiEnv();
  const app = await createApp(env);
  await app.listen(env.API_PORT, env.API_HOST);
  new Logger('Equilab').log(`API on http://${env.API_HOST}:${env.API_PORT}/api (docs /api/docs)`);
}

main().catch((error: unknown) => {
  console.error(error instanceof EnvError ? error.message : error);
  process.exit(1);
});
