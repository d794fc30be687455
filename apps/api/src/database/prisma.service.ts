import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { API_ENV, type ApiEnv } from '../config/api-env';
import { PrismaClient } from '../generated/prisma/client';

@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  /** Prisma's connections, an own pg pool so /metrics can report its use (the adapter does not end it). */
  readonly pool: Pool;

  constructor(@Inject(API_ENV) env: ApiEnv) {
    const pool = new Pool({ connectionString: env.DATABASE_URL, max: 10 });
    pool.on('error', () => undefined);
    super({ adapter: new PrismaPg(pool) });
    this.pool = pool;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
    await this.pool.end();
  }
}
