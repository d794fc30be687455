import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { CANCEL_CHANNEL, jobCatalogue, pretrainJobSchema, type JobDefinition, type QueueCounts } from '@equilab/contracts';
import type { JobsOptions, Queue } from 'bullmq';
import type { ZodType } from 'zod';
import { TokensService } from '../auth/tokens.service';
import type { Run as RunRow } from '../generated/prisma/client';
import { LiveService } from '../live/live.service';
import { PrismaService } from '../database/prisma.service';
import { RedisService } from '../redis/redis.service';
import { ashaFill, ashaOptionsOf, attemptEpochs } from '../sweeps/asha-schedule';
import { bullPriority, EVALUATE_QUEUE, PRETRAIN_QUEUE, runJobId } from './queue-names';

const WAITING_STATES = new Set(['waiting', 'delayed', 'prioritized', 'waiting-children']);

/** BullMQ options of a job of `def`'s queue: its id, the catalogue's attempts and backoff, kept history. */
function jobOptions(def: Pick<JobDefinition<ZodType>, 'attempts' | 'backoff'>, jobId: string, priority: number): JobsOptions {
  return {
    jobId,
    attempts: def.attempts,
    backoff: { type: def.backoff.type, delay: def.backoff.delay },
    priority: bullPriority(priority),
    removeOnComplete: { count: 1000 },
    removeOnFail: { count: 5000 },
  };
}

export const COUNT_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized'] as const;

/**
 * Hands runs to BullMQ. Sweeps are gated here: a sweep's runs are created `queued` with `enqueuedAt = null`
 * and only `maxConcurrency` of them hold a job (queued-with-job or running) at a time; `fillSweep` hands out
 * free slots whenever a run of the sweep settles.
 */
@Injectable()
export class DispatchService implements OnModuleDestroy {
  private readonly logger = new Logger('Dispatch');
  private readonly queueTimers = new Map<string, NodeJS.Timeout>();

  constructor(
    @InjectQueue(PRETRAIN_QUEUE) readonly pretrain: Queue,
    @InjectQueue(EVALUATE_QUEUE) readonly evaluate: Queue,
    private readonly prisma: PrismaService,
    private readonly tokens: TokensService,
    private readonly redis: RedisService,
    private readonly live: LiveService,
  ) {}

  queues(): Queue[] {
    return [this.pretrain, this.evaluate];
  }

  /**
   * Add the pretrain job of the run's current attempt (idempotent by jobId). The payload holds no secret: the
   * runner that takes the job fetches its run token with its runner token (POST /api/runners/:id/credentials).
   */
  async addPretrainJob(run: RunRow, priority: number): Promise<void> {
    const payload = pretrainJobSchema.parse({
      runId: run.id,
      projectId: run.projectId,
      method: run.method,
      config: await this.attemptConfig(run),
      dataRoot: run.dataRoot,
      backend: run.requestedBackend,
      seed: run.seed,
      logEvery: { steps: run.logEverySteps, seconds: run.logEverySeconds },
      ...(run.initWeights !== null ? { initWeights: run.initWeights } : {}),
    });
    await this.pretrain.add(jobCatalogue.pretrain.queue, payload, jobOptions(jobCatalogue.pretrain, runJobId(run.id, run.attempt), priority));
    this.queueChanged(PRETRAIN_QUEUE);
  }

  /** Add the evaluate job of an evaluation's current attempt (jobId `<evaluationId>.<attempt>`); no secret, as above. */
  async addEvaluateJob(run: RunRow, evaluation: { id: string; kind: string; config: unknown; attempt: number }): Promise<void> {
    const def = jobCatalogue.evaluate;
    const payload = def.schema.parse({
      runId: run.id,
      evaluationId: evaluation.id,
      kind: evaluation.kind,
      config: evaluation.config,
      dataRoot: run.dataRoot,
      backend: run.requestedBackend,
      seed: run.seed,
    });
    await this.evaluate.add(def.queue, payload, jobOptions(def, `${evaluation.id}.${evaluation.attempt}`, 0));
    this.queueChanged(EVALUATE_QUEUE);
  }

  /** The run's current attempt ended (finished, canceled, preempted): its run tokens are revoked. */
  async attemptEnded(runId: string): Promise<void> {
    await this.tokens.revokeRunTokens(runId);
  }

  /** Enqueue a run that is not gated by a sweep. */
  async enqueueRun(runId: string, priority = 0): Promise<void> {
    const run = await this.prisma.run.update({ where: { id: runId }, data: { enqueuedAt: new Date() } });
    await this.addPretrainJob(run, priority);
  }

  /**
   * The config an attempt trains: the run's, with an ASHA run's `epochs` set to its current rung's budget (it
   * trains until that epoch and resumes from the rung's checkpoint with the next rung's).
   */
  private async attemptConfig(run: RunRow): Promise<unknown> {
    if (run.rung === null || !run.sweepId) return run.config;
    const sweep = await this.prisma.sweep.findUnique({ where: { id: run.sweepId }, select: { asha: true } });
    const epochs = sweep ? attemptEpochs(run, ashaOptionsOf(sweep)) : null;
    return epochs === null ? run.config : { ...(run.config as Record<string, unknown>), epochs };
  }

  /**
   * Hand free slots of a running sweep to its next runs (index order; ASHA sweeps: `ashaFill`'s promotions and
   * new configurations). Serialised per sweep by a transaction-scoped advisory lock (API replicas included).
   */
  async fillSweep(sweepId: string): Promise<void> {
    const { runs, priority } = await this.prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT 1 AS locked FROM pg_advisory_xact_lock(hashtext(${sweepId}))`;
      const sweep = await tx.sweep.findUnique({ where: { id: sweepId } });
      if (!sweep || sweep.status !== 'running') return { runs: [] as RunRow[], priority: 0 };
      const asha = ashaOptionsOf(sweep);
      if (asha) return { runs: await ashaFill(tx, sweep, asha), priority: sweep.priority };
      const active = await tx.run.count({
        where: { sweepId, OR: [{ status: { in: ['running', 'preempted'] } }, { status: 'queued', enqueuedAt: { not: null } }] },
      });
      const free = sweep.maxConcurrency - active;
      if (free <= 0) return { runs: [] as RunRow[], priority: sweep.priority };
      const next = await tx.run.findMany({
        where: { sweepId, status: 'queued', enqueuedAt: null },
        orderBy: { sweepIndex: 'asc' },
        take: free,
      });
      const now = new Date();
      if (next.length) await tx.run.updateMany({ where: { id: { in: next.map((r) => r.id) } }, data: { enqueuedAt: now } });
      return { runs: next.map((r) => ({ ...r, enqueuedAt: now })), priority: sweep.priority };
    });
    for (const run of runs) await this.addPretrainJob(run, priority);
  }

  /** After a sweep run settles: refill its slots, and mark the sweep completed when nothing is left. */
  async afterSweepRunSettled(sweepId: string): Promise<void> {
    await this.fillSweep(sweepId);
    const open = await this.prisma.run.count({ where: { sweepId, status: { in: ['queued', 'running', 'preempted', 'paused'] } } });
    if (open === 0) await this.prisma.sweep.updateMany({ where: { id: sweepId, status: 'running' }, data: { status: 'completed' } });
  }

  /** Remove the run's job if it has not started; running jobs are stopped through CANCEL_CHANNEL. */
  async removeWaitingJob(runId: string, attempt: number): Promise<boolean> {
    const job = await this.pretrain.getJob(runJobId(runId, attempt));
    if (!job) return false;
    const state = await job.getState();
    if (!WAITING_STATES.has(state)) return false;
    try {
      await job.remove();
      this.queueChanged(PRETRAIN_QUEUE);
      return true;
    } catch (error) {
      this.logger.warn(`could not remove job ${job.id}: ${(error as Error).message}`);
      return false;
    }
  }

  async publishCancel(runId: string): Promise<void> {
    await this.redis.client.publish(CANCEL_CHANNEL, JSON.stringify({ runId }));
  }

  async counts(queue: Queue): Promise<QueueCounts> {
    const c = await queue.getJobCounts(...COUNT_STATES);
    return {
      waiting: c['waiting'] ?? 0,
      active: c['active'] ?? 0,
      delayed: c['delayed'] ?? 0,
      failed: c['failed'] ?? 0,
      completed: c['completed'] ?? 0,
      prioritized: c['prioritized'] ?? 0,
    };
  }

  /** Emit the queue's counts to the `queue` room, at most every 250 ms. */
  queueChanged(name: string): void {
    if (this.queueTimers.has(name)) return;
    const timer = setTimeout(() => {
      this.queueTimers.delete(name);
      const queue = this.queues().find((q) => q.name === name);
      if (!queue) return;
      this.counts(queue).then(
        (counts) => this.live.queue(name, counts),
        () => undefined,
      );
    }, 250);
    timer.unref();
    this.queueTimers.set(name, timer);
  }

  onModuleDestroy(): void {
    for (const timer of this.queueTimers.values()) clearTimeout(timer);
    this.queueTimers.clear();
  }
}
