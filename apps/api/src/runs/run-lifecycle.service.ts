import { Injectable } from '@nestjs/common';
import type { Artifact, FinishRun, FinishRunResult, Progress, StartRun, StartRunResult } from '@equilab/contracts';
import { ArtifactsService } from '../artifacts/artifacts.service';
import { AppError } from '../common/app-error';
import { LiveService } from '../live/live.service';
import { PrismaService } from '../database/prisma.service';
import { EvaluationsService } from '../evaluations/evaluations.service';
import { DispatchService } from '../queue/dispatch.service';
import { AshaService } from '../sweeps/asha.service';
import { assertTransition } from './run-state';
import { toRun } from './run.mapper';

/** The runner side of a run's life: start, progress, artifacts, finish (see contracts runner-api.ts). */
@Injectable()
export class RunLifecycleService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly dispatch: DispatchService,
    private readonly live: LiveService,
    private readonly evaluations: EvaluationsService,
    private readonly asha: AshaService,
    private readonly artifactFiles: ArtifactsService,
  ) {}

  private async find(id: string) {
    const row = await this.prisma.run.findUnique({ where: { id }, include: { sweep: { select: { priority: true } } } });
    if (!row) throw AppError.notFound('run', id);
    return row;
  }

  async start(id: string, input: StartRun): Promise<StartRunResult> {
    const row = await this.find(id);
    assertTransition(id, row.status, 'running');
    const runner = await this.prisma.runner.findUnique({ where: { id: input.runnerId }, select: { id: true } });
    if (!runner) throw AppError.field('runnerId', `runner ${input.runnerId} is not registered`);
    const now = new Date();
    const updated = await this.prisma.run.updateMany({
      where: { id, status: { in: ['queued', 'running'] } },
      data: {
        status: 'running',
        runnerId: input.runnerId,
        backend: input.backend,
        threads: input.threads,
        device: input.device,
        startedAt: row.status === 'queued' || !row.startedAt ? now : row.startedAt,
        heartbeatAt: now,
        error: null,
      },
    });
    if (updated.count === 0) throw new AppError('illegal_transition', `run ${id} is no longer startable`);
    const run = toRun(await this.prisma.run.findUniqueOrThrow({ where: { id } }));
    this.live.run(run);
    this.dispatch.queueChanged('pretrain');
    return { status: 'running', attempt: run.attempt, config: run.config };
  }

  async progress(id: string, input: Progress): Promise<void> {
    const updated = await this.prisma.run.updateMany({
      where: { id, status: 'running' },
      data: {
        step: input.step,
        totalSteps: input.totalSteps,
        epoch: input.epoch,
        totalEpochs: input.totalEpochs,
        imagesPerSecond: input.imagesPerSecond,
        etaSeconds: input.etaSeconds,
        heartbeatAt: new Date(),
      },
    });
    if (updated.count === 0) {
      const row = await this.find(id);
      throw new AppError('illegal_transition', `run ${id} is ${row.status}; progress is only accepted while running`);
    }
    this.live.run(toRun(await this.prisma.run.findUniqueOrThrow({ where: { id } })));
  }

  async artifact(id: string, input: Artifact): Promise<{ id: string }> {
    await this.find(id);
    const row = await this.prisma.artifact.upsert({
      where: { runId_path: { runId: id, path: input.path } },
      create: { runId: id, kind: input.kind, path: input.path, size: BigInt(input.size), sha256: input.sha256, step: input.step },
      update: { kind: input.kind, size: BigInt(input.size), sha256: input.sha256, step: input.step },
    });
    // The runner's checkpoint keys are per step and content: the older versions are superseded now.
    if (input.kind === 'checkpoint' && input.step !== null) await this.artifactFiles.pruneCheckpoints(id, input.step);
    return { id: row.id };
  }

  async finish(id: string, input: FinishRun): Promise<FinishRunResult> {
    const row = await this.find(id);
    const from = row.status;
    // Idempotent repeats (a retried HTTP call) and a runner confirming a cancel change nothing; a repeated
    // success still queues the run's evaluation suite if the first call stopped before it did.
    // A repeated report of an attempt that reached its ASHA rung changes nothing either.
    if (from === 'paused' && input.status === 'succeeded') return { status: from };
    if (from === input.status) {
      if (from === 'succeeded') await this.evaluations.queueSuite(row);
      return { status: from };
    }
    assertTransition(id, from, input.status);
    const now = new Date();
    // An ASHA run that trained to a rung below its last pauses there: checkpoint stored, runner freed.
    if (input.status === 'succeeded' && (await this.asha.reachedRung(row)) === 'paused') {
      const paused = await this.prisma.run.updateMany({ where: { id, status: 'running' }, data: { status: 'paused', heartbeatAt: now, error: null } });
      if (paused.count === 0) throw new AppError('illegal_transition', `run ${id} changed state concurrently`);
      await this.dispatch.attemptEnded(id);
      if (row.sweepId) await this.dispatch.afterSweepRunSettled(row.sweepId);
      const run = toRun(await this.prisma.run.findUniqueOrThrow({ where: { id } }));
      this.live.run(run);
      this.dispatch.queueChanged('pretrain');
      return { status: run.status };
    }
    if (input.status === 'preempted') {
      // running → preempted → queued: the API re-enqueues a fresh job for the next attempt.
      const updated = await this.prisma.run.updateMany({
        where: { id, status: 'running' },
        data: { status: 'queued', attempt: row.attempt + 1, heartbeatAt: now, enqueuedAt: now, error: input.error ?? null },
      });
      if (updated.count === 0) throw new AppError('illegal_transition', `run ${id} changed state concurrently`);
      await this.dispatch.attemptEnded(id);
      const next = await this.prisma.run.findUniqueOrThrow({ where: { id } });
      await this.dispatch.addPretrainJob(next, row.sweep?.priority ?? 0);
      this.live.run(toRun(next));
      return { status: 'queued' };
    }
    const updated = await this.prisma.run.updateMany({
      where: { id, status: from },
      data: { status: input.status, finishedAt: now, heartbeatAt: now, error: input.error ?? null },
    });
    if (updated.count === 0) throw new AppError('illegal_transition', `run ${id} changed state concurrently`);
    await this.dispatch.attemptEnded(id);
    if (row.sweepId) await this.dispatch.afterSweepRunSettled(row.sweepId);
    const settled = await this.prisma.run.findUniqueOrThrow({ where: { id } });
    if (settled.status === 'succeeded') await this.evaluations.queueSuite(settled);
    const run = toRun(settled);
    this.live.run(run);
    this.dispatch.queueChanged('pretrain');
    return { status: run.status };
  }
}
