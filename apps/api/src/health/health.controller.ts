import { Controller, Get, Res } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import type { Health } from '@equilab/contracts';
import type { Response } from 'express';
import { Public } from '../auth/principal';
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

@Controller('health')
export class HealthController {
  constructor(
    private readonly prisma: PrismaService,
    private readonly redis: RedisService,
  ) {}

  /** 200 when PostgreSQL and Redis answer, 503 `degraded` otherwise. */
  @Get()
  @Public()
  @SkipThrottle()
  async health(@Res({ passthrough: true }) res: Response): Promise<Health> {
    const [postgres, redis] = await Promise.all([timed(() => this.prisma.$queryRaw`SELECT 1`), timed(() => this.redis.client.ping())]);
    const status = postgres.ok && redis.ok ? 'ok' : 'degraded';
    if (status !== 'ok') res.status(503);
    return { status, postgres, redis };
  }
}
