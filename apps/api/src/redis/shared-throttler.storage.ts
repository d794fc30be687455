import { Logger, type OnModuleDestroy } from '@nestjs/common';
import { ThrottlerStorageService, type ThrottlerStorage } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * The rate-limit counters (RATE_LIMIT_PER_MINUTE per token, AUTH_FAILURES_PER_MINUTE failed authentications per
 * IP) shared by every API replica: @nest-lab/throttler-storage-redis, one atomic Lua script a hit. Keys live
 * under `<namespace>:` (the deployment's QUEUE_PREFIX) so that deployments on one Redis do not count together.
 * While Redis cannot answer, each replica counts in memory (@nestjs/throttler's own storage) instead of
 * failing the request: limiting degrades to per replica, authentication itself is unaffected.
 */
export class SharedThrottlerStorage implements ThrottlerStorage, OnModuleDestroy {
  private readonly logger = new Logger('RateLimit');
  private readonly shared: ThrottlerStorageRedisService;
  private readonly local = new ThrottlerStorageService();
  private degraded = false;

  constructor(
    redisUrl: string,
    private readonly namespace: string,
  ) {
    // No offline queue: while Redis is down a hit fails at once and is counted locally.
    this.shared = new ThrottlerStorageRedisService(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    this.shared.redis.on('error', () => undefined);
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    try {
      const record = await this.shared.increment(`${this.namespace}:${key}`, ttl, limit, blockDuration, throttlerName);
      if (this.degraded) {
        this.degraded = false;
        this.logger.log('rate-limit counters shared through Redis again');
      }
      return record;
    } catch (error) {
      if (!this.degraded) {
        this.degraded = true;
        this.logger.warn(`Redis unreachable: rate-limit counters are per replica until it answers (${error instanceof Error ? error.message : String(error)})`);
      }
      return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }

  onModuleDestroy(): void {
    this.shared.onModuleDestroy();
    this.local.onApplicationShutdown();
  }
}
