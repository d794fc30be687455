import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  createSweepSchema,
  listSweepsQuerySchema,
  sweepDetailSchema,
  sweepDryRunSchema,
  sweepListSchema,
  type SweepDetail,
  type SweepList,
} from '@equilab/contracts';
import type { Response } from 'express';
import { CurrentPrincipal, Resources, Scopes, type Principal } from '../auth/principal';
import { parseInput } from '../common/app-error';
import { parseId } from '../common/params';
import { SweepsService } from './sweeps.service';
import { ApiDoc } from '../openapi/api-doc.decorator';

@Controller('sweeps')
export class SweepsController {
  constructor(private readonly sweeps: SweepsService) {}

  /** 201 with the sweep and its runs, or 200 `{ dryRun: true, runs }` for a dry run. */
  @ApiDoc({ summary: 'Create a sweep (grid or seeded random); dryRun: true answers 200 with the expanded runs', body: createSweepSchema, response: sweepDetailSchema, alsoResponds: { 200: sweepDryRunSchema }, errors: [404] })
  @Post()
  @Scopes('admin', 'member')
  @Resources({ kind: 'project', body: 'projectId' })
  async create(@Body() body: unknown, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    const input = parseInput(createSweepSchema, body);
    const result = await this.sweeps.create(input);
    if (input.dryRun) res.status(200);
    return result;
  }

  @ApiDoc({ summary: 'List sweeps', query: listSweepsQuerySchema, response: sweepListSchema })
  @Get()
  @Scopes('admin', 'member')
  @Resources({ kind: 'project', query: 'projectId' })
  async list(@Query() query: unknown, @CurrentPrincipal() principal: Principal): Promise<SweepList> {
    const { projectId, tags } = parseInput(listSweepsQuerySchema, query);
    if (projectId || !principal.projectIds) return { items: await this.sweeps.list(projectId, tags) };
    // A member without a projectId: its granted projects' sweeps, newest first.
    const lists = await Promise.all([...principal.projectIds].map((granted) => this.sweeps.list(granted, tags)));
    return { items: lists.flat().sort((a, b) => b.createdAt.localeCompare(a.createdAt)) };
  }

  @ApiDoc({ summary: 'Get a sweep with its runs', response: sweepDetailSchema })
  @Get(':id')
  @Scopes('admin', 'member')
  @Resources({ kind: 'sweep', param: 'id' })
  get(@Param('id') id: string): Promise<SweepDetail> {
    return this.sweeps.get(parseId(id));
  }

  @ApiDoc({ summary: 'Cancel a sweep and its queued and running runs', response: sweepDetailSchema })
  @Post(':id/cancel')
  @HttpCode(200)
  @Scopes('admin', 'member')
  @Resources({ kind: 'sweep', param: 'id' })
  cancel(@Param('id') id: string): Promise<SweepDetail> {
    return this.sweeps.cancel(parseId(id));
  }
}
