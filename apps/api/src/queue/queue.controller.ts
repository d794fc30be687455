import {
  queueOverviewSchema,
} from '@equilab/contracts';
import { Controller, Get } from '@nestjs/common';
import type { QueueOverview } from '@equilab/contracts';
import { QueueService } from './queue.service';
import { ApiDoc } from '../openapi/api-doc.decorator';

@Controller('queue')
export class QueueController {
  constructor(private readonly queue: QueueService) {}

  /** Counts and the first 100 jobs per state of each queue, and the runners. */
  @ApiDoc({ summary: 'Queue counts, jobs and runners', response: queueOverviewSchema })
  @Get()
  overview(): Promise<QueueOverview> {
    return this.queue.overview();
  }
}
