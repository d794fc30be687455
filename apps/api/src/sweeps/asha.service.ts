import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Run as RunRow } from '../generated/prisma/client';
import { PrismaService } from '../database/prisma.service';
import { MetricsRepository } from '../metrics/metrics.repository';
import { DispatchService } from '../queue/dispatch.service';
import { ashaOptionsOf, attemptEpochs, isLastRung } from './asha-schedule';

/**
 * The API side of ASHA runs' rungs. A run's attempt trains its config with `epochs` set to its rung's budget
 * (DispatchService writes it into the job; the trainer resumes from the rung's checkpoint with a larger `epochs`).
 * When the runner reports the attempt finished, `reachedRung` stores the run's rung result (the last value of the
 * sweep's metric, logged at the rung boundary) once, and says whether the run pauses there or has finished.
 * On start, every running ASHA sweep is reconciled: jobs of runs that hold a slot are added again (idempotent by
 * job id, in case the API stopped between a decision and its jobs) and free slots are filled.
 */
@Injectable()
export class AshaService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Asha');

  constructor(
    private readonly prisma: PrismaService,
    private readonly metrics: MetricsRepository,
    private readonly dispatch: DispatchService,
  ) {}

  /** `paused` when the run reached a rung below its bracket's last (its result stored), `final` otherwise. */
  async reachedRung(run: RunRow): Promise<'paused' | 'final' | 'not-asha'> {
    if (!run.sweepId || run.rung === null) return 'not-asha';
    const sweep = await this.prisma.sweep.findUnique({ where: { id: run.sweepId }, select: { asha: true } });
    const options = sweep ? ashaOptionsOf(sweep) : null;
    if (!options) return 'not-asha';
    const latest = await this.metrics.latest(run.id);
    const point = Object.hasOwn(latest, options.metric) ? latest[options.metric] : undefined;
    const value = point && Number.isFinite(point.value) ? point.value : null;
    await this.prisma.rungResult.createMany({
      data: [{ sweepId: run.sweepId, runId: run.id, rung: run.rung, epochs: attemptEpochs(run, options) ?? options.maxEpochs, value }],
      skipDuplicates: true,
    });
    return isLastRung(run, options) ? 'final' : 'paused';
  }

  async onApplicationBootstrap(): Promise<void> {
    try {
      const sweeps = await this.prisma.sweep.findMany({ where: { status: 'running', strategy: 'asha' }, select: { id: true, priority: true } });
      for (const sweep of sweeps) {
        const holding = await this.prisma.run.findMany({ where: { sweepId: sweep.id, status: 'queued', enqueuedAt: { not: null } } });
        for (const run of holding) await this.dispatch.addPretrainJob(run, sweep.priority);
        await this.dispatch.afterSweepRunSettled(sweep.id);
      }
    } catch (error) {
      this.logger.warn(`could not reconcile ASHA sweeps at start: ${(error as Error).message}`);
    }
  }
}
