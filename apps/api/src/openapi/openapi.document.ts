import { RequestMethod, type Type } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { errorBodySchema } from '@equilab/contracts';
import { z } from 'zod';
import { API_CONTROLLERS } from '../app.module';
import { PUBLIC_KEY, SCOPES_KEY, type TokenScope } from '../auth/principal';
import { API_DOC_KEY, API_TAG_KEY, type FileBody, type RouteDoc } from './api-doc.decorator';

/** The global prefix of every route (app.factory.ts). */
export const API_PREFIX = 'api';

const METHODS: Partial<Record<RequestMethod, string>> = {
  [RequestMethod.GET]: 'get',
  [RequestMethod.POST]: 'post',
  [RequestMethod.PUT]: 'put',
  [RequestMethod.PATCH]: 'patch',
  [RequestMethod.DELETE]: 'delete',
};

const json = (schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> => {
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

function multipart(fields: z.ZodObject, file?: string) {
  const schema = json(fields, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  const binary = { type: 'string', format: 'binary' };
  return {
    ...schema,
    properties: { ...schema.properties, ...(file ? { [file]: binary } : { files: { type: 'array', items: binary } }) },
    required: [...(schema.required ?? []), file ?? 'files'],
  };
}

const isFile = (body: RouteDoc['response']): body is FileBody => body !== undefined && 'produces' in body;

function successBody(body: RouteDoc['response']): Record<string, unknown> {
  if (body === undefined) return {};
  if (isFile(body)) return { content: Object.fromEntries(body.produces.map((type) => [type, { schema: { type: 'string', format: 'binary' } }])) };
  return { content: { 'application/json': { schema: json(body, 'output') } } };
}

const ERRORS: Record<number, string> = {
  400: 'Invalid input: `error.issues` names each field',
  401: 'Missing or invalid token',
  403: 'Token scope not allowed (run tokens: other runs)',
  404: 'Not found',
  409: 'Illegal state transition or conflict',
  413: 'Body too large',
  429: 'Rate limited (per token)',
  431: 'URL (query string) longer than the HTTP server accepts (16 KB of headers)',
  503: 'PostgreSQL or Redis unavailable (Retry-After)',
};

/** One route as its controller declares it. */
interface Route {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly scopes: readonly TokenScope[] | 'public';
  readonly tag: string;
  readonly doc: RouteDoc;
}

function joinPath(...parts: (string | undefined)[]): string {
  return `/${parts.flatMap((p) => (p ?? '').split('/')).filter(Boolean).join('/')}`;
}

/** Every route of the controllers, read from Nest's route metadata and the routes' @ApiDoc. */
export function controllerRoutes(controllers: readonly Type[] = API_CONTROLLERS): Route[] {
  const routes: Route[] = [];
  for (const controller of controllers) {
    const base = Reflect.getMetadata(PATH_METADATA, controller) as string | undefined;
    const tag = (Reflect.getMetadata(API_TAG_KEY, controller) as string | undefined) ?? controller.name.replace(/Controller$/, '').toLowerCase();
    const prototype = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const handler = prototype[name];
      if (typeof handler !== 'function') continue;
      const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      const requestMethod = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (path === undefined || requestMethod === undefined) continue;
      const method = METHODS[requestMethod];
      const doc = Reflect.getMetadata(API_DOC_KEY, handler) as RouteDoc | undefined;
      if (!method) throw new Error(`${controller.name}.${name}: HTTP method ${requestMethod} is not documented`);
      if (!doc) throw new Error(`${controller.name}.${name}: a route needs @ApiDoc for the OpenAPI document`);
      const isPublic = Boolean(Reflect.getMetadata(PUBLIC_KEY, handler) ?? Reflect.getMetadata(PUBLIC_KEY, controller));
      const scopes = (Reflect.getMetadata(SCOPES_KEY, handler) ?? Reflect.getMetadata(SCOPES_KEY, controller) ?? ['admin']) as TokenScope[];
      const status = (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ?? (method === 'post' ? 201 : 200);
      routes.push({ method, path: joinPath(API_PREFIX, base, path).replace(/:(\w+)/g, '{$1}'), status, scopes: isPublic ? 'public' : scopes, tag: doc.tag ?? tag, doc });
    }
  }
  return routes;
}

/** The error statuses a route answers: 400 always, auth ones unless public, 404 for ids, 409/413 for writes, 431 with a query, 503. */
function errorStatuses(route: Route): number[] {
  const statuses = new Set<number>([400, 503, ...(route.doc.errors ?? [])]);
  if (route.scopes !== 'public') for (const s of [401, 403, 429]) statuses.add(s);
  if (route.path.includes('{id}')) statuses.add(404);
  if (route.method === 'post') for (const s of [409, 413]) statuses.add(s);
  if (route.doc.query) statuses.add(431);
  return [...statuses].sort((a, b) => a - b);
}

/**
 * The OpenAPI 3 document served at /api/openapi.json (rendered at /api/docs) and written to apps/api/openapi.json
 * by the build: paths, methods, statuses and token scopes come from the controllers' decorators, request and
 * response schemas from the contracts' zod schemas (z.toJSONSchema). No route is listed by hand.
 */
export function buildOpenApiDocument(controllers: readonly Type[] = API_CONTROLLERS): Record<string, unknown> {
  const routes = controllerRoutes(controllers);
  const errorBody = { content: { 'application/json': { schema: json(errorBodySchema, 'output') } } };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const { doc } = route;
    const responses: Record<string, unknown> = { [route.status]: { description: 'OK', ...successBody(doc.response) } };
    for (const [status, schema] of Object.entries(doc.alsoResponds ?? {})) responses[status] = { description: 'OK', ...successBody(schema) };
    for (const status of errorStatuses(route)) responses[status] = { description: ERRORS[status] ?? 'Error', ...errorBody };
    const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }));
    paths[route.path] ??= {};
    paths[route.path]![route.method] = {
      summary: doc.summary,
      tags: [route.tag],
      ...(route.scopes === 'public' ? { security: [] } : { description: `Token scopes: ${route.scopes.join(', ')}` }),
      parameters: [...pathParams, ...(doc.query ? queryParameters(doc.query) : [])],
      ...(doc.body ? { requestBody: { required: true, content: { 'application/json': { schema: json(doc.body, 'input') } } } } : {}),
      ...(doc.form ? { requestBody: { required: true, content: { 'multipart/form-data': { schema: multipart(doc.form, doc.formFile) } } } } : {}),
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
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
  };
}
