import { Inject, Injectable } from '@nestjs/common';
import type { RegisterRunner, Runner, RunnerHeartbeat, RunnerHeartbeatResult } from '@equilab/contracts';
import { AppError } from '../common/app-error';
import { API_ENV, type ApiEnv } from '../config/api-env';
import type { Runner as RunnerRow } from '../generated/prisma/client';
import { PrismaService } from '../database/prisma.service';

@Injectable()
export class RunnerRegistryService {
  constructor(
    private readonly prisma: PrismaService,
    @Inject(API_ENV) private readonly env: ApiEnv,
  ) {}

  /** A new runner, owned by the runner token that registered it. */
  async register(input: RegisterRunner, tokenId: string): Promise<{ id: string }> {
    const row = await this.prisma.runner.create({ data: { ...input, tokenId, status: 'online', lastHeartbeat: new Date() } });
    return { id: row.id };
  }

  /** `id` if the runner was registered with `tokenId`; 404 otherwise (another token's runner is not found). */
  async owned(id: string, tokenId: string): Promise<string> {
    const row = await this.prisma.runner.findFirst({ where: { id, tokenId }, select: { id: true } });
    if (!row) throw AppError.notFound('runner', id);
    return row.id;
  }

  /**
   * Deletes the runner and the run credentials issued to it (they stop working at once); its runs and
   * evaluations stay, no longer assigned. A job it still holds goes back to the queue when its lock expires.
   */
  async delete(id: string): Promise<void> {
    const result = await this.prisma.runner.deleteMany({ where: { id } });
    if (result.count === 0) throw AppError.notFound('runner', id);
  }

  /** Records the heartbeat (and the runs' heartbeats); answers which of the active runs to stop (canceled, failed, deleted). */
  async heartbeat(id: string, input: RunnerHeartbeat): Promise<RunnerHeartbeatResult> {
    const now = new Date();
    const updated = await this.prisma.runner.updateMany({
      where: { id },
      data: { lastHeartbeat: now, status: 'online', activeRunIds: input.activeRunIds },
    });
    if (updated.count === 0) throw AppError.notFound('runner', id);
    if (input.activeRunIds.length === 0) return { cancelRunIds: [] };
    await this.prisma.run.updateMany({ where: { id: { in: input.activeRunIds }, status: 'running' }, data: { heartbeatAt: now } });
    // A succeeded run is not stopped: its job is wrapping up, and its evaluations (queued by the succeeded
    // transition) may already run on this runner under the same run id.
    const live = await this.prisma.run.findMany({
      where: { id: { in: input.activeRunIds }, status: { in: ['queued', 'running', 'succeeded'] } },
      select: { id: true },
    });
    const alive = new Set(live.map((r) => r.id));
    return { cancelRunIds: input.activeRunIds.filter((runId) => !alive.has(runId)) };
  }

  async list(): Promise<Runner[]> {
    const rows = await this.prisma.runner.findMany({ orderBy: { lastHeartbeat: 'desc' }, take: 500 });
    return rows.map((r) => this.toRunner(r));
  }

  private toRunner(row: RunnerRow): Runner {
    const online = Date.now() - row.lastHeartbeat.getTime() < this.env.RUNNER_OFFLINE_AFTER_SECONDS * 1000;
    return {
      id: row.id,
      name: row.name,
      hostname: row.hostname,
      devices: row.devices,
      device: row.device,
      backend: row.backend,
      status: online && row.status === 'online' ? 'online' : 'offline',
      activeRunIds: row.activeRunIds,
      lastHeartbeat: row.lastHeartbeat.toISOString(),
      createdAt: row.createdAt.toISOString(),
    };
  }
}
