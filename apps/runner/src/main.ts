import { parseEnv, runnerEnvSchema } from '@equilab/contracts';
import { Redis } from 'ioredis';

async function main(): Promise<void> {
  const env = parseEnv('runner', runnerEnvSchema);
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
  await redis.ping();
  console.log(`runner: connected to ${env.REDIS_URL}; idle`);
  const stop = () => void redis.quit().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
