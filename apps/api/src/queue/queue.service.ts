import { Injectable } from '@nestjs/common';
import type { QueueJob, QueueOverview } from '@equilab/contracts';
import type { Job, Queue } from 'bullmq';
import { PrismaService } from '../database/prisma.service';
import { RunnerRegistryService } from '../runner-registry/runner-registry.service';
import { DispatchService } from './dispatch.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const JOB_STATES = ['active', 'waiting', 'prioritized', 'delayed', 'failed'] as const;

/** What the Queue page shows: each queue's counts and first jobs per state, and the runners. */
@Injectable()
export class QueueService {
  constructor(
    private readonly dispatch: DispatchService,
    private readonly runners: RunnerRegistryService,
    private readonly prisma: PrismaService,
  ) {}

  /** The first `perState` jobs of each state of `queue`. */
  private async jobs(queue: Queue, perState: number): Promise<QueueJob[]> {
    const jobs: QueueJob[] = [];
    for (const state of JOB_STATES) {
      const list: Job[] = await queue.getJobs([state], 0, perState - 1);
      for (const job of list) {
        if (!job?.id) continue;
        const data = job.data as { runId?: unknown } | undefined;
        jobs.push({
          id: job.id,
          name: job.name,
          state,
          runId: typeof data?.runId === 'string' ? data.runId : null,
          attemptsMade: job.attemptsMade,
          priority: job.priority ?? 0,
          timestamp: job.timestamp,
          failedReason: job.failedReason ?? null,
        });
      }
    }
    return jobs;
  }

  /**
   * Counts and the first 100 jobs per state of each queue, and the runners. `projectIds` (a member token's
   * grants): only the jobs of runs in those projects, and each runner's active runs narrowed to them; the
   * counts stay the shared queues' totals (how busy the cluster is; they name no run).
   */
  async overview(projectIds: readonly string[] | null = null): Promise<QueueOverview> {
    const queues = await Promise.all(
      this.dispatch.queues().map(async (queue) => ({ name: queue.name, counts: await this.dispatch.counts(queue), jobs: await this.jobs(queue, 100) })),
    );
    const runners = await this.runners.list();
    if (!projectIds) return { queues, runners };
    const named = new Set([...queues.flatMap((q) => q.jobs.map((j) => j.runId)), ...runners.flatMap((r) => r.activeRunIds)].filter((id): id is string => id !== null && UUID.test(id)));
    const visible = new Set(
      (await this.prisma.run.findMany({ where: { id: { in: [...named] }, projectId: { in: [...projectIds] } }, select: { id: true } })).map((r) => r.id),
    );
    return {
      queues: queues.map((q) => ({ ...q, jobs: q.jobs.filter((j) => j.runId !== null && visible.has(j.runId)) })),
      runners: runners.map((r) => ({ ...r, activeRunIds: r.activeRunIds.filter((id) => visible.has(id)) })),
    };
  }
}
