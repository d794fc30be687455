import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  createEvaluationSchema,
  evaluationListSchema,
  evaluationReportSchema,
  evaluationSchema,
  evaluationTableQuerySchema,
  evaluationTableSchema,
  requestEvaluationSuiteSchema,
  type Evaluation,
} from '@equilab/contracts';
import { CurrentPrincipal, Resources, Scopes, type Principal } from '../auth/principal';
import { TokensService } from '../auth/tokens.service';
import { parseInput } from '../common/app-error';
import { parseId } from '../common/params';
import { EvaluationsService } from './evaluations.service';
import { ApiDoc } from '../openapi/api-doc.decorator';

interface CsvResponse {
  setHeader(name: string, value: string): void;
  status(code: number): CsvResponse;
  send(body: string): void;
}

@Controller()
export class EvaluationsController {
  constructor(
    private readonly evaluations: EvaluationsService,
    private readonly tokens: TokensService,
  ) {}

  /** Request an evaluation of a succeeded run (idempotent for the same kind and config). */
  @ApiDoc({ summary: 'Request an offline evaluation of a succeeded run (idempotent per kind + config)', body: createEvaluationSchema, response: evaluationSchema })
  @Post('runs/:id/evaluations')
  @Scopes('admin', 'member')
  @Resources({ kind: 'run', param: 'id' })
  request(@Param('id') id: string, @Body() body: unknown): Promise<Evaluation> {
    return this.evaluations.request(parseId(id), parseInput(createEvaluationSchema, body));
  }

  /** Several kinds at once, each probe kind on each part (default: the method's — full, inv and equi when split). */
  @ApiDoc({
    summary: 'Request an evaluation suite of a succeeded run: each probe kind on each part (default: the method’s parts), retrieval once',
    body: requestEvaluationSuiteSchema,
    response: evaluationListSchema,
  })
  @Post('runs/:id/evaluations/suite')
  @Scopes('admin', 'member')
  @Resources({ kind: 'run', param: 'id' })
  async requestSuite(@Param('id') id: string, @Body() body: unknown): Promise<{ items: Evaluation[] }> {
    return { items: await this.evaluations.requestSuite(parseId(id), parseInput(requestEvaluationSuiteSchema, body)) };
  }

  @ApiDoc({ summary: 'Evaluations of a run', response: evaluationListSchema })
  @Get('runs/:id/evaluations')
  @Scopes('admin', 'member')
  @Resources({ kind: 'run', param: 'id' })
  async list(@Param('id') id: string): Promise<{ items: Evaluation[] }> {
    return { items: await this.evaluations.listForRun(parseId(id)) };
  }

  @ApiDoc({ summary: 'Evaluation table (mean ± std over seeds, baseline deltas); format=csv for CSV', query: evaluationTableQuerySchema, response: evaluationTableSchema })
  @Get('evaluations/table')
  @Scopes('admin', 'member')
  @Resources({ kind: 'runs', query: 'runIds' }, { kind: 'sweep', query: 'sweepId' }, { kind: 'project', query: 'projectId' }, { kind: 'run', query: 'baselineRunId' })
  @Header('Cache-Control', 'no-store')
  async table(@Query() query: unknown, @Res({ passthrough: true }) res: CsvResponse): Promise<unknown> {
    const { table, csv } = await this.evaluations.table(parseInput(evaluationTableQuerySchema, query));
    if (csv === null) return table;
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="evaluations.csv"');
    return csv;
  }

  @ApiDoc({ summary: 'Get an evaluation', response: evaluationSchema })
  @Get('evaluations/:id')
  @Scopes('admin', 'member')
  @Resources({ kind: 'evaluation', param: 'id' })
  get(@Param('id') id: string): Promise<Evaluation> {
    return this.evaluations.get(parseId(id));
  }

  /** Runner → API: started / failed / outcome of an `evaluate` job (its run token, or the runner token of the runner it was dispatched to). */
  @ApiDoc({ summary: 'Runner reports an evaluate job’s start, failure or outcome', tag: 'runner protocol', body: evaluationReportSchema, response: evaluationSchema })
  @Post('evaluations/:id/report')
  @HttpCode(200)
  @Scopes('runner', 'run')
  async report(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<Evaluation> {
    const evaluationId = parseId(id);
    await this.tokens.assertEvaluationReporter(principal, evaluationId);
    return this.evaluations.report(evaluationId, parseInput(evaluationReportSchema, body));
  }
}
