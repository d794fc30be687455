import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { createSweepSchema, listSweepsQuerySchema, type SweepDetail, type SweepList } from '@equilab/contracts';
import type { Response } from 'express';
import { parseInput } from '../common/app-error';
import { parseId } from '../common/params';
import { SweepsService } from './sweeps.service';

@Controller('sweeps')
export class SweepsController {
  constructor(private readonly sweeps: SweepsService) {}

  /** 201 with the sweep and its runs, or 200 `{ dryRun: true, runs }` for a dry run. */
  @Post()
  async create(@Body() body: unknown, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    const input = parseInput(createSweepSchema, body);
    const result = await this.sweeps.create(input);
    if (input.dryRun) res.status(200);
    return result;
  }

  @Get()
  async list(@Query() query: unknown): Promise<SweepList> {
    return { items: await this.sweeps.list(parseInput(listSweepsQuerySchema, query).projectId) };
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<SweepDetail> {
    return this.sweeps.get(parseId(id));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  cancel(@Param('id') id: string): Promise<SweepDetail> {
    return this.sweeps.cancel(parseId(id));
  }
}
