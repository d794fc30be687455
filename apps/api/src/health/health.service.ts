import { Injectable } from '@nestjs/common';
import type { Health } from '@equilab/contracts';
import { PrismaService } from '../database/prisma.service';
import { RedisService } from '../redis/redis.service';

async function timed(check: () => Promise<unknown>, timeoutMs = 2_000): Promise<{ ok: boolean; latencyMs: number | null }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      }),
    ]);
    return { ok: true, latencyMs: Math.round((performance.now() - started) * 100) / 100 };
  } catch {
    return { ok: false, latencyMs: null };
  } finally {
    clearTimeout(timer);
  }
}

/** Whether PostgreSQL and Redis answer, with their latencies (each check gives up after 2 s). */
@Injectable()
export class HealthService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly redis: RedisService,
  ) {}

  async check(): Promise<Health> {
    const [postgres, redis] = await Promise.all([timed(() => this.prisma.$queryRaw`SELECT 1`), timed(() => this.redis.client.ping())]);
    return { status: postgres.ok && redis.ok ? 'ok' : 'degraded', postgres, redis };
  }
}
