import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import IORedis, { type Redis } from 'ioredis';
import { API_ENV, type ApiEnv } from '../config/api-env';

/** One command/publish connection to Redis; `duplicate()` for subscribers. */
@Injectable()
export class RedisService implements OnApplicationShutdown {
  readonly client: Redis;
  private readonly extra: Redis[] = [];

  constructor(@Inject(API_ENV) private readonly env: ApiEnv) {
    this.client = new IORedis(env.REDIS_URL, { maxRetriesPerRequest: 3, lazyConnect: false });
    this.client.on('error', () => undefined);
  }

  duplicate(): Redis {
    const connection = this.client.duplicate();
    connection.on('error', () => undefined);
    this.extra.push(connection);
    return connection;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.client, ...this.extra].map((c) => c.quit()));
  }
}

/** BullMQ connection options from a redis:// URL. */
export function bullConnection(url: string): { host: string; port: number; username?: string; password?: string; db: number; tls?: object } {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    db: Number(u.pathname.replace('/', '') || 0),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}
