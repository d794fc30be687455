import { Injectable } from '@nestjs/common';
import type { QueueJob, QueueOverview } from '@equilab/contracts';
import type { Job, Queue } from 'bullmq';
import { RunnerRegistryService } from '../runner-registry/runner-registry.service';
import { DispatchService } from './dispatch.service';

const JOB_STATES = ['active', 'waiting', 'prioritized', 'delayed', 'failed'] as const;

/** What the Queue page shows: each queue's counts and first jobs per state, and the runners. */
@Injectable()
export class QueueService {
  constructor(
    private readonly dispatch: DispatchService,
    private readonly runners: RunnerRegistryService,
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

  /** Counts and the first 100 jobs per state of each queue, and the runners. */
  async overview(): Promise<QueueOverview> {
    const queues = await Promise.all(
      this.dispatch.queues().map(async (queue) => ({ name: queue.name, counts: await this.dispatch.counts(queue), jobs: await this.jobs(queue, 100) })),
    );
    return { queues, runners: await this.runners.list() };
  }
}
