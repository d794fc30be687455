import { Logger, type INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import IORedis, { type Redis } from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';

/** Failed live-event publishes are logged at most once per this many milliseconds. */
const PUBLISH_FAILURE_LOG_EVERY_MS = 30_000;

/**
 * The adapter's publishing connection. The adapter fires `publish` and drops the promise; while Redis is
 * unreachable ioredis rejects it (MaxRetriesPerRequestError) and an unhandled rejection would end the API
 * process. Live events are at-most-once (clients re-read stored data over REST): a failed publish is logged
 * and dropped.
 */
export class LivePublisher extends IORedis {
  /** Publishes that failed and were dropped. */
  dropped = 0;
  private lastFailureLog = 0;
  private readonly logger = new Logger('Live');

  override publish(channel: string | Buffer, message: string | Buffer): Promise<number> {
    const published = super.publish(channel, message);
    published.catch((error: unknown) => this.publishFailed(error));
    return published;
  }

  private publishFailed(error: unknown): void {
    this.dropped += 1;
    const now = Date.now();
    if (now - this.lastFailureLog < PUBLISH_FAILURE_LOG_EVERY_MS) return;
    this.lastFailureLog = now;
    this.logger.warn(`live events dropped while Redis is unreachable: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * socket.io over the Redis adapter, so every API replica serves the same rooms. Owns its pub/sub
 * connections and closes them after the socket.io server (Nest disposes adapters after module destroy hooks).
 */
export class RedisIoAdapter extends IoAdapter {
  private readonly connections: Redis[] = [];

  constructor(
    app: INestApplicationContext,
    private readonly redisUrl: string,
    private readonly key: string,
    /** CORS origins of socket.io's HTTP long-polling (the API's CORS_ORIGINS; none when empty). */
    private readonly corsOrigins: readonly string[] = [],
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const cors = this.corsOrigins.length > 0 ? { origin: [...this.corsOrigins], credentials: true } : undefined;
    const { cors: _declared, ...rest } = options ?? {};
    void _declared;
    const server = super.createIOServer(port, { ...rest, ...(cors ? { cors } : {}) }) as Server;
    const pub = new LivePublisher(this.redisUrl, { maxRetriesPerRequest: 3 });
    const sub = new IORedis(this.redisUrl, { maxRetriesPerRequest: 3 });
    for (const c of [pub, sub]) {
      c.on('error', () => undefined);
      this.connections.push(c);
    }
    server.adapter(createAdapter(pub, sub, { key: this.key }));
    return server;
  }

  override async close(server: Server): Promise<void> {
    await super.close(server);
    await Promise.allSettled(this.connections.splice(0).map((c) => c.quit()));
  }
}
