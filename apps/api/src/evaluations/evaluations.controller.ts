import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  createEvaluationSchema,
  evaluationReportSchema,
  evaluationTableQuerySchema,
  type Evaluation,
} from '@equilab/contracts';
import { assertRunAccess } from '../auth/auth.guard';
import { CurrentPrincipal, Scopes, type Principal } from '../auth/principal';
import { parseInput } from '../common/app-error';
import { parseId } from '../common/params';
import { EvaluationsService } from './evaluations.service';

interface CsvResponse {
  setHeader(name: string, value: string): void;
  status(code: number): CsvResponse;
  send(body: string): void;
}

@Controller()
export class EvaluationsController {
  constructor(private readonly evaluations: EvaluationsService) {}

  /** Request an evaluation of a succeeded run (idempotent for the same kind and config). */
  @Post('runs/:id/evaluations')
  request(@Param('id') id: string, @Body() body: unknown): Promise<Evaluation> {
    return this.evaluations.request(parseId(id), parseInput(createEvaluationSchema, body));
  }

  @Get('runs/:id/evaluations')
  async list(@Param('id') id: string): Promise<{ items: Evaluation[] }> {
    return { items: await this.evaluations.listForRun(parseId(id)) };
  }

  @Get('evaluations/table')
  @Header('Cache-Control', 'no-store')
  async table(@Query() query: unknown, @Res({ passthrough: true }) res: CsvResponse): Promise<unknown> {
    const { table, csv } = await this.evaluations.table(parseInput(evaluationTableQuerySchema, query));
    if (csv === null) return table;
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="evaluations.csv"');
    return csv;
  }

  @Get('evaluations/:id')
  get(@Param('id') id: string): Promise<Evaluation> {
    return this.evaluations.get(parseId(id));
  }

  /** Runner → API: started / failed / outcome of an `evaluate` job (the run's token). */
  @Post('evaluations/:id/report')
  @HttpCode(200)
  @Scopes('admin', 'runner', 'run')
  async report(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<Evaluation> {
    const evaluationId = parseId(id);
    assertRunAccess(principal, await this.evaluations.runIdOf(evaluationId));
    return this.evaluations.report(evaluationId, parseInput(evaluationReportSchema, body));
  }
}
