import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { QueueEvents } from 'bullmq';
import { API_ENV, type ApiEnv } from '../config/api-env';
import { LiveService } from '../live/live.service';
import { PrismaService } from '../database/prisma.service';
import { bullConnection } from '../redis/redis.service';
import { toRun } from '../runs/run.mapper';
import { DispatchService } from './dispatch.service';
import { PRETRAIN_QUEUE } from './queue-names';

/**
 * A pretrain job that BullMQ gives up on (attempts exhausted, stalled too often — e.g. its runner was killed
 * on every attempt) fails its run, so the run does not stay `running` forever and its sweep slot frees.
 * BullMQ's `failed` queue event fires only for final failures; every replica hears it and the conditional
 * update makes the handling idempotent.
 */
@Injectable()
export class JobFailuresListener implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('JobFailures');
  private events: QueueEvents | null = null;

  constructor(
    @Inject(API_ENV) private readonly env: ApiEnv,
    private readonly prisma: PrismaService,
    private readonly dispatch: DispatchService,
    private readonly live: LiveService,
  ) {}

  onModuleInit(): void {
    this.events = new QueueEvents(PRETRAIN_QUEUE, { connection: bullConnection(this.env.REDIS_URL), prefix: this.env.QUEUE_PREFIX });
    this.events.on('error', () => undefined);
    this.events.on('failed', ({ jobId, failedReason }) => {
      this.onFailed(jobId, failedReason).catch((error: unknown) => this.logger.warn(`handling failed job ${jobId}: ${String(error)}`));
    });
  }

  async waitUntilReady(): Promise<void> {
    await this.events?.waitUntilReady();
  }

  async onFailed(jobId: string, reason: string): Promise<void> {
    const match = /^([0-9a-f-]{36})\.(\d+)$/i.exec(jobId);
    if (!match) return;
    const [, runId, attempt] = match as unknown as [string, string, string];
    const updated = await this.prisma.run.updateMany({
      where: { id: runId, attempt: Number(attempt), status: { in: ['queued', 'running'] } },
      data: { status: 'failed', finishedAt: new Date(), error: `job failed: ${reason}`.slice(0, 20_000) },
    });
    if (updated.count === 0) return;
    const run = await this.prisma.run.findUnique({ where: { id: runId } });
    if (!run) return;
    if (run.sweepId) await this.dispatch.afterSweepRunSettled(run.sweepId);
    this.live.run(toRun(run));
    this.dispatch.queueChanged(PRETRAIN_QUEUE);
  }

  async onModuleDestroy(): Promise<void> {
    await this.events?.close();
  }
}
