import {
  healthSchema,
} from '@equilab/contracts';
import { Controller, Get, Res } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import type { Health } from '@equilab/contracts';
import type { Response } from 'express';
import { Public } from '../auth/principal';
import { HealthService } from './health.service';
import { ApiDoc } from '../openapi/api-doc.decorator';

@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** 200 when PostgreSQL and Redis answer, 503 `degraded` otherwise. */
  @ApiDoc({ summary: 'PostgreSQL and Redis health (503 when degraded)', response: healthSchema, alsoResponds: { 503: healthSchema } })
  @Get()
  @Public()
  @SkipThrottle()
  async get(@Res({ passthrough: true }) res: Response): Promise<Health> {
    const health = await this.health.check();
    if (health.status !== 'ok') res.status(503);
    return health;
  }
}
