import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { API_ENV, type ApiEnv } from '../config/api-env';

/** A plain pg pool for bulk metric writes and set-based reads that Prisma's query builder does not express. */
@Injectable()
export class PgPoolService extends Pool implements OnApplicationShutdown {
  constructor(@Inject(API_ENV) env: ApiEnv) {
    super({ connectionString: env.DATABASE_URL, max: 10 });
    this.on('error', () => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.end();
  }
}
