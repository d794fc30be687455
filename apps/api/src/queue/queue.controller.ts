import { queueOverviewSchema, type QueueOverview } from '@equilab/contracts';
import { Controller, Get } from '@nestjs/common';
import { CurrentPrincipal, projectFilter, Scopes, type Principal } from '../auth/principal';
import { QueueService } from './queue.service';
import { ApiDoc } from '../openapi/api-doc.decorator';

@Controller('queue')
export class QueueController {
  constructor(private readonly queue: QueueService) {}

  /** Counts and the first 100 jobs per state of each queue, and the runners. */
  @ApiDoc({
    summary: 'Queue counts, jobs and runners. A member token sees the jobs of its granted projects’ runs only, and runners with only those runs active; the counts are the shared queues’ totals',
    response: queueOverviewSchema,
  })
  @Get()
  @Scopes('admin', 'member')
  overview(@CurrentPrincipal() principal: Principal): Promise<QueueOverview> {
    return this.queue.overview(projectFilter(principal));
  }
}
