import * as c from '@equilab/contracts';
import { z } from 'zod';

type Method = 'get' | 'post' | 'delete';
type Auth = 'none' | 'admin' | 'runner' | 'run';

interface RouteDoc {
  readonly method: Method;
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  readonly auth: readonly Auth[];
  readonly body?: z.ZodType;
  readonly query?: z.ZodObject;
  readonly response?: z.ZodType;
  readonly status?: number;
  readonly produces?: string;
  /** multipart/form-data body: these text fields plus `files` (one or more binary parts). */
  readonly form?: z.ZodObject;
}

const id = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const A: readonly Auth[] = ['admin'];
const RUN: readonly Auth[] = ['admin', 'run'];

/** Every route of the API, with the zod schemas from libs/contracts that validate it. */
export const ROUTES: readonly RouteDoc[] = [
  { method: 'get', path: '/api/health', summary: 'PostgreSQL and Redis health (503 when degraded)', tag: 'health', auth: ['none'], response: c.healthSchema },
  { method: 'post', path: '/api/projects', summary: 'Create a project', tag: 'projects', auth: A, body: c.createProjectSchema, response: c.projectSchema, status: 201 },
  { method: 'get', path: '/api/projects', summary: 'List projects', tag: 'projects', auth: A, response: c.projectListSchema },
  { method: 'get', path: '/api/projects/{id}', summary: 'Get a project', tag: 'projects', auth: A, response: c.projectSchema },
  { method: 'post', path: '/api/runs', summary: 'Create and enqueue a run (config validated against the method schema)', tag: 'runs', auth: A, body: c.createRunSchema, response: c.runSchema, status: 201 },
  { method: 'get', path: '/api/runs', summary: 'List runs (filters, sort, cursor pagination)', tag: 'runs', auth: A, query: c.listRunsQuerySchema, response: c.runListSchema },
  { method: 'get', path: '/api/runs/{id}', summary: 'Get a run with the latest value of every metric', tag: 'runs', auth: A, response: c.runDetailSchema },
  { method: 'post', path: '/api/runs/{id}/cancel', summary: 'Cancel a queued or running run (409 otherwise)', tag: 'runs', auth: A, response: c.runSchema },
  { method: 'post', path: '/api/runs/{id}/retry', summary: 'Retry a failed or canceled run as a new attempt', tag: 'runs', auth: A, response: c.runSchema },
  { method: 'delete', path: '/api/runs/{id}', summary: 'Delete a run with its metrics and artifacts', tag: 'runs', auth: A, status: 204 },
  { method: 'get', path: '/api/runs/{id}/artifacts', summary: 'List artifacts of a run', tag: 'runs', auth: A, response: z.object({ items: z.array(c.artifactRecordSchema) }) },
  { method: 'post', path: '/api/runs/{id}/metrics', summary: 'Write a batch of ≤ 10,000 metric points (idempotent upsert; more → 413)', tag: 'metrics', auth: RUN, body: c.metricBatchSchema, response: c.metricBatchResultSchema, status: 201 },
  { method: 'get', path: '/api/runs/{id}/metrics', summary: 'Series of keys, downsampled keeping each bucket’s first/min/max/last', tag: 'metrics', auth: A, query: c.seriesQuerySchema, response: c.seriesResponseSchema },
  { method: 'get', path: '/api/runs/{id}/metrics/summary', summary: 'Last, min, max per key', tag: 'metrics', auth: A, response: c.metricSummaryResponseSchema },
  { method: 'get', path: '/api/runs/{id}/metrics/export', summary: 'Long-format export run,key,step,value,time (CSV with header, or JSON lines); format=tfevents: a TensorBoard event file', tag: 'metrics', auth: A, query: c.exportQuerySchema, produces: 'text/csv' },
  { method: 'get', path: '/api/sweeps/{id}/metrics/export', summary: 'Long-format export of every run of a sweep', tag: 'metrics', auth: A, query: c.exportQuerySchema, produces: 'text/csv' },
  { method: 'get', path: '/api/metrics/compare', summary: 'Many runs × keys in one call, downsampled', tag: 'metrics', auth: A, query: c.compareQuerySchema, response: c.seriesResponseSchema },
  { method: 'post', path: '/api/sweeps', summary: 'Create a sweep (grid or seeded random); dryRun returns the expanded runs', tag: 'sweeps', auth: A, body: c.createSweepSchema, response: z.union([c.sweepDetailSchema, c.sweepDryRunSchema]), status: 201 },
  { method: 'get', path: '/api/sweeps', summary: 'List sweeps', tag: 'sweeps', auth: A, query: c.listSweepsQuerySchema, response: c.sweepListSchema },
  { method: 'get', path: '/api/sweeps/{id}', summary: 'Get a sweep with its runs', tag: 'sweeps', auth: A, response: c.sweepDetailSchema },
  { method: 'post', path: '/api/sweeps/{id}/cancel', summary: 'Cancel a sweep and its queued and running runs', tag: 'sweeps', auth: A, response: c.sweepDetailSchema },
  { method: 'post', path: '/api/runs/{id}/evaluations', summary: 'Request an offline evaluation of a succeeded run (idempotent per kind + config)', tag: 'evaluations', auth: A, body: c.createEvaluationSchema, response: c.evaluationSchema, status: 201 },
  { method: 'get', path: '/api/runs/{id}/evaluations', summary: 'Evaluations of a run', tag: 'evaluations', auth: A, response: z.object({ items: z.array(c.evaluationSchema) }) },
  { method: 'get', path: '/api/evaluations/table', summary: 'Evaluation table (mean ± std over seeds, baseline deltas); format=csv for CSV', tag: 'evaluations', auth: A, query: c.evaluationTableQuerySchema, response: c.evaluationTableSchema },
  { method: 'get', path: '/api/evaluations/{id}', summary: 'Get an evaluation', tag: 'evaluations', auth: A, response: c.evaluationSchema },
  { method: 'post', path: '/api/evaluations/{id}/report', summary: 'Runner reports an evaluate job’s start, failure or outcome', tag: 'runner protocol', auth: ['admin', 'runner', 'run'], body: c.evaluationReportSchema, response: c.evaluationSchema },
  { method: 'post', path: '/api/imports/tensorboard', summary: 'Import a TensorBoard log directory’s event files as one run (status imported); a corrupt record → 400 naming file and byte offset, the records before it kept', tag: 'interop', auth: A, form: c.tensorboardImportFieldsSchema, response: c.tensorboardImportResultSchema, status: 201 },
  { method: 'get', path: '/api/runs/{id}/weights', summary: 'The run’s final backbone in the reference’s PyTorch naming: torch.load-able .pth or safetensors', tag: 'interop', auth: A, query: c.weightsQuerySchema, produces: 'application/octet-stream' },
  { method: 'get', path: '/api/queue', summary: 'Queue counts, jobs and runners', tag: 'queue', auth: A, response: c.queueOverviewSchema },
  { method: 'post', path: '/api/runners', summary: 'Register a runner', tag: 'runner protocol', auth: ['admin', 'runner'], body: c.registerRunnerSchema, response: c.registerRunnerResultSchema, status: 201 },
  { method: 'post', path: '/api/runners/{id}/heartbeat', summary: 'Runner heartbeat; answers canceled active runs', tag: 'runner protocol', auth: ['admin', 'runner'], body: c.runnerHeartbeatSchema, response: c.runnerHeartbeatResultSchema },
  { method: 'post', path: '/api/runs/{id}/start', summary: 'A runner starts an attempt (409 if canceled/finished)', tag: 'runner protocol', auth: RUN, body: c.startRunSchema, response: c.startRunResultSchema },
  { method: 'post', path: '/api/runs/{id}/progress', summary: 'Training progress (also the run heartbeat)', tag: 'runner protocol', auth: RUN, body: c.runProgressSchema, response: c.okSchema },
  { method: 'post', path: '/api/runs/{id}/artifacts', summary: 'Record an artifact', tag: 'runner protocol', auth: RUN, body: c.runArtifactSchema, response: c.runArtifactResultSchema, status: 201 },
  { method: 'post', path: '/api/runs/{id}/finish', summary: 'Finish an attempt (preempted → re-queued by the API)', tag: 'runner protocol', auth: RUN, body: c.finishRunSchema, response: c.finishRunResultSchema },
];

const json = (schema: z.ZodType, io: 'input' | 'output') => {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'openapi-3.0' }) as Record<string, unknown>;
  delete out['$schema'];
  return out;
};

function queryParameters(schema: z.ZodObject) {
  return Object.entries(schema.shape).map(([name, field]) => {
    const f = field as z.ZodType;
    const s = json(f, 'input');
    return { name, in: 'query', required: !f.safeParse(undefined).success, schema: s, ...(s['description'] ? { description: s['description'] } : {}) };
  });
}

function multipart(fields: z.ZodObject) {
  const schema = json(fields, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  return {
    ...schema,
    properties: { ...schema.properties, files: { type: 'array', items: { type: 'string', format: 'binary' } } },
    required: [...(schema.required ?? []), 'files'],
  };
}

/** The OpenAPI 3 document served at /api/openapi.json (and rendered at /api/docs). */
export function buildOpenApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const errorBody = { content: { 'application/json': { schema: json(c.errorBodySchema, 'output') } } };
  for (const r of ROUTES) {
    const status = r.status ?? 200;
    const responses: Record<string, unknown> = {
      [status]: {
        description: 'OK',
        ...(r.response ? { content: { 'application/json': { schema: json(r.response, 'output') } } } : {}),
        ...(r.produces ? { content: { [r.produces]: { schema: { type: 'string' } }, 'application/x-ndjson': { schema: { type: 'string' } } } } : {}),
      },
      '400': { description: 'Invalid input: `error.issues` names each field', ...errorBody },
    };
    if (!r.auth.includes('none')) {
      responses['401'] = { description: 'Missing or invalid token', ...errorBody };
      responses['403'] = { description: 'Token scope not allowed (run tokens: other runs)', ...errorBody };
      responses['429'] = { description: 'Rate limited (per token)', ...errorBody };
    }
    if (r.path.includes('{id}')) responses['404'] = { description: 'Not found', ...errorBody };
    if (r.method === 'post') {
      responses['409'] = { description: 'Illegal state transition', ...errorBody };
      responses['413'] = { description: 'Body too large', ...errorBody };
    }
    paths[r.path] ??= {};
    paths[r.path]![r.method] = {
      summary: r.summary,
      tags: [r.tag],
      ...(r.auth.includes('none') ? { security: [] } : { description: `Token scopes: ${r.auth.join(', ')}` }),
      parameters: [...(r.path.includes('{id}') ? [id] : []), ...(r.query ? queryParameters(r.query) : [])],
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: json(r.body, 'input') } } } } : {}),
      ...(r.form ? { requestBody: { required: true, content: { 'multipart/form-data': { schema: multipart(r.form) } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Equilab API',
      version: '0.1.0',
      description:
        'Experiment tracking for SIE and baselines. Authenticate with `Authorization: Bearer <token>`. Live updates: socket.io at `/socket.io` (see libs/contracts socket.ts).',
    },
    servers: [{ url: '/' }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    tags: [...new Set(ROUTES.map((r) => r.tag))].map((name) => ({ name })),
    paths,
  };
}
