import { CANCEL_CHANNEL } from '@equilab/contracts';
import { Redis } from 'ioredis';

/**
 * Listens on the Redis pub/sub channel the API publishes cancellations on (`{ runId }` JSON) and calls
 * `onCancel(runId)`. A dedicated connection: a subscribed Redis connection can do nothing else.
 */
export class CancelSubscriber {
  private readonly redis: Redis;

  constructor(
    redisUrl: string,
    private readonly onCancel: (runId: string) => void,
    private readonly log: (message: string) => void,
  ) {
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
    this.redis.on('error', (error) => this.log(`cancel subscriber: ${error.message}`));
    this.redis.on('message', (channel: string, message: string) => {
      if (channel !== CANCEL_CHANNEL) return;
      try {
        const parsed = JSON.parse(message) as { runId?: unknown };
        if (typeof parsed.runId === 'string') this.onCancel(parsed.runId);
        else this.log(`cancel subscriber: ignoring message without runId: ${message}`);
      } catch {
        this.log(`cancel subscriber: ignoring invalid JSON: ${message}`);
      }
    });
  }

  async start(): Promise<void> {
    await this.redis.connect();
    await this.redis.subscribe(CANCEL_CHANNEL);
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
