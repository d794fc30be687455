/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- the OpenAPI document and response bodies are untyped JSON here; the assertions check their shape */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_INT4, NUL_FREE } from '@equilab/contracts';
import fc from 'fast-check';
import { Client } from 'pg';
import { createProject, createRun, evaluationToken, jobRunToken, registerRunner, startTestApp, testDatabaseUrl, type JsonBody, type TestApp } from '../testing/test-app';
import { buildOpenApiDocument } from './openapi.document';

/**
 * The API's own bad-input test (issue #12): for every operation of the generated OpenAPI document, fast-check
 * generates invalid inputs (the classes the security review found: prototype-key names, integers ≥ 2^31, NUL in
 * strings and queries, non-UUID cursors and ids, undecodable path ids, 1 MB strings, 10,000-deep JSON, far-future
 * wall times, `__proto__` keys, unknown fields, wrong types, nulls, missing fields, malformed JSON) and valid ones.
 * Every answer: no 5xx, a status the document lists for the operation, and a 400 names the failing field. Every
 * rejected request leaves the database exactly as it was (a fingerprint of every table before and after).
 */

/** The subset of JSON Schema (OpenAPI 3.0) the contracts' zod schemas produce. */
interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  enum?: unknown[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  nullable?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  default?: unknown;
}
interface Parameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  schema: Schema;
}
interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  body?: Schema;
  json: boolean;
  statuses: Set<number>;
  scopes: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** A request the test sends: the body is raw text (so it can be malformed or 10,000 levels deep). */
interface Probe {
  readonly label: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly body?: string;
  /** The field a 400 must name (dotted path; 'id' for a path parameter), or null when any field may be named. */
  readonly field: string | null;
  /** 'reject': must be answered 4xx; 'any': may succeed (a valid input, or one whose validity the test cannot know). */
  readonly expect: 'reject' | 'any';
}

const DEEP = 10_000;
const deepJson = (): string => '{"a":'.repeat(DEEP) + '1' + '}'.repeat(DEEP);
const DEEP_MARK = '__deep_json_here__';
const PROTO_MARK = '__proto_key_here__';
const serialize = (value: Json): string => JSON.stringify(value).replace(`"${DEEP_MARK}"`, deepJson());

const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty'];

function operations(): Operation[] {
  const doc = buildOpenApiDocument() as { paths: Record<string, Record<string, JsonBody>> };
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const content = op.requestBody?.content as Record<string, { schema: Schema }> | undefined;
      ops.push({
        method: method.toUpperCase(),
        path,
        parameters: (op.parameters ?? []) as Parameter[],
        ...(content?.['application/json'] ? { body: content['application/json'].schema } : {}),
        json: Boolean(content?.['application/json']),
        statuses: new Set(Object.keys(op.responses as object).map(Number)),
        scopes: String(op.description ?? 'public'),
      });
    }
  }
  return ops;
}

/** The branch of a oneOf/anyOf an example value takes (by its enum-valued properties), else the first. */
function branch(schema: Schema, value: Json): Schema {
  const options = schema.oneOf ?? schema.anyOf;
  if (!options) return schema;
  const fits = options.find((o) => {
    if (!o.properties || typeof value !== 'object' || value === null || Array.isArray(value)) return false;
    return Object.entries(o.properties).every(([k, s]) => !s.enum || s.enum.includes((value as Record<string, Json>)[k]));
  });
  return fits ?? options.find((o) => o.type !== 'null') ?? options[0]!;
}

interface Node {
  readonly path: string[];
  readonly schema: Schema;
  readonly value: Json;
  readonly required: boolean;
}

/** Every node of an example value with its schema (depth-first), the body itself first. */
function nodes(schema: Schema, value: Json, path: string[] = [], required = true): Node[] {
  const s = branch(schema, value);
  const out: Node[] = [{ path, schema: s, value, required }];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...nodes(s.items ?? {}, v, [...path, String(i)])));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const child = s.properties?.[k] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : {});
      out.push(...nodes(child, v, [...path, k], (s.required ?? []).includes(k)));
    }
  }
  return out;
}

function setAt(root: Json, path: readonly string[], update: (parent: Record<string, Json> | Json[], key: string) => void): Json {
  const copy = structuredClone(root);
  if (path.length === 0) return copy;
  let parent = copy as Record<string, Json>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string, Json>;
  update(parent, path[path.length - 1]!);
  return copy;
}

const types = (s: Schema): Set<string> => {
  const options = s.oneOf ?? s.anyOf;
  if (options) return new Set(options.flatMap((o) => [...types(o)]));
  const t = new Set<string>(s.type ? [s.type] : []);
  if (s.type === 'integer') t.add('number');
  return t;
};
const jsonType = (v: Json): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
const allowsNull = (s: Schema): boolean => Boolean(s.nullable) || (s.oneOf ?? s.anyOf ?? []).some((o) => o.type === 'null' || o.nullable);
/** A string schema that a free text does not satisfy (the NUL-free pattern every stored string has does not count). */
const constrained = (s: Schema): boolean => Boolean(s.enum || s.format || (s.pattern && s.pattern !== NUL_FREE.source));

/** Invalid (or unknowable) variants of a JSON body, each naming the field it breaks. */
function bodyMutation(schema: Schema, example: Json): fc.Arbitrary<{ body: string; field: string | null; expect: Probe['expect']; label: string }> {
  const all = nodes(schema, example);
  const typed = all.filter((n) => n.schema.type !== undefined || n.schema.oneOf || n.schema.anyOf);
  const strings = typed.filter((n) => typeof n.value === 'string');
  const numbers = typed.filter((n) => typeof n.value === 'number');
  const objects = all.filter((n) => jsonType(n.value) === 'object');
  const strictObjects = objects.filter((n) => n.schema.additionalProperties === false);
  const pick = <T>(xs: T[]) => fc.constantFrom(...xs);
  const name = (path: readonly string[]) => path.join('.');
  const replace = (n: Node, value: Json) => serialize(setAt(example, n.path, (p, k) => ((p as Record<string, Json>)[k] = value)));
  const variants: fc.Arbitrary<{ body: string; field: string | null; expect: Probe['expect']; label: string }>[] = [
    // NUL anywhere in a string: refused everywhere (PostgreSQL text and jsonb cannot hold it).
    ...(strings.length ? [fc.tuple(pick(strings), fc.string({ maxLength: 8 })).map(([n, s]) => ({ body: replace(n, `${s}\u0000${s}`), field: name(n.path), expect: 'reject' as const, label: 'NUL in a string' }))] : []),
    // A 1 MB string where the schema caps the length.
    ...(strings.some((n) => n.schema.maxLength !== undefined)
      ? [pick(strings.filter((n) => n.schema.maxLength !== undefined)).map((n) => ({ body: replace(n, 'a'.repeat(1 << 20)), field: name(n.path), expect: 'reject' as const, label: '1 MB string' }))]
      : []),
    // Prototype keys as names (method, kinds, ...): any answer but never a 5xx.
    ...(strings.length ? [fc.tuple(pick(strings), pick(PROTOTYPE_KEYS)).map(([n, k]) => ({ body: replace(n, k), field: constrained(n.schema) ? name(n.path) : null, expect: constrained(n.schema) ? ('reject' as const) : ('any' as const), label: 'prototype key as a value' }))] : []),
    // Integers beyond int4, 2^53 − 1, negative, fractional, huge and far-future wall times.
    ...(numbers.length
      ? [
          fc.tuple(pick(numbers), fc.constantFrom(MAX_INT4 + 1, 2 ** 53 - 1, 1e15, -1, 0.5, 1e300, -1e300)).map(([n, v]) => {
            const s = n.schema;
            const invalid = (s.maximum !== undefined && v > s.maximum) || (s.minimum !== undefined && v < s.minimum) || (s.type === 'integer' && !Number.isInteger(v));
            return { body: replace(n, v), field: invalid ? name(n.path) : null, expect: invalid ? ('reject' as const) : ('any' as const), label: 'out-of-range number' };
          }),
        ]
      : []),
    // A value of a JSON type the schema does not allow (including null where it is not nullable).
    ...(typed.length
      ? [
          fc.tuple(pick(typed), fc.constantFrom<Json>(null, true, 7, 'text', [1], { x: 1 })).map(([n, v]) => {
            const allowed = types(n.schema);
            const invalid = v === null ? !allowsNull(n.schema) : allowed.size > 0 && !allowed.has(jsonType(v));
            return { body: replace(n, v), field: invalid ? name(n.path) : null, expect: invalid ? ('reject' as const) : ('any' as const), label: 'wrong type' };
          }),
        ]
      : []),
    // A required field missing.
    ...(all.some((n) => n.path.length > 0 && n.required)
      ? [pick(all.filter((n) => n.path.length > 0 && n.required)).map((n) => ({ body: serialize(setAt(example, n.path, (p, k) => delete (p as Record<string, Json>)[k])), field: name(n.path), expect: 'reject' as const, label: 'missing field' }))]
      : []),
    // An unknown field in a strict object (a typo such as maxConcurency).
    ...(strictObjects.length
      ? [
          fc.tuple(pick(strictObjects), fc.stringMatching(/^[a-z][A-Za-z_]{0,12}$/)).filter(([n, k]) => !(k in (n.schema.properties ?? {}))).map(([n, k]) => ({
            body: serialize(setAt(example, [...n.path, k], (p, key) => ((p as Record<string, Json>)[key] = 1))),
            field: name([...n.path, k]),
            expect: 'reject' as const,
            label: 'unknown field',
          })),
        ]
      : []),
    // A `__proto__` key anywhere (JSON.parse makes it an own property).
    pick(objects).map((n) => ({
      body: serialize(setAt(example, [...n.path, PROTO_MARK], (p, k) => ((p as Record<string, Json>)[k] = { polluted: 1 }))).replace(`"${PROTO_MARK}"`, '"__proto__"'),
      field: name([...n.path, '__proto__']),
      expect: 'reject' as const,
      label: '__proto__ key',
    })),
    // 10,000-deep JSON in a field (or as the body).
    pick(objects.filter((n) => n.path.length <= 1)).map((n) => {
      const at = n.path.length === 0 ? ['deep'] : n.path;
      return { body: serialize(setAt(example, at, (p, k) => ((p as Record<string, Json>)[k] = DEEP_MARK))), field: at[0]!, expect: 'reject' as const, label: '10,000-deep JSON' };
    }),
    // Malformed JSON and bodies that are not objects.
    fc.constantFrom('{', '{"a":1,}', 'nul', '[]', '[1,2]', '""', 'NaN', '{"step": NaN}').map((body) => ({ body, field: null, expect: 'reject' as const, label: 'malformed JSON' })),
  ];
  return fc.oneof(...variants);
}

/** A string that matches a simple schema (no pattern or format), or null when the test cannot make one. */
function validString(s: Schema): fc.Arbitrary<string> | null {
  if (s.enum) return fc.constantFrom(...(s.enum as string[]));
  if (s.format || (s.pattern && s.pattern !== NUL_FREE.source)) return null;
  const max = Math.min(s.maxLength ?? 40, 40);
  return fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 _.:-]*$/).filter((v) => v.length >= Math.max(1, s.minLength ?? 0) && v.length <= max && v.trim() === v);
}

/** Valid variants of an example body: simple leaves replaced by values their schema allows. */
function validBody(schema: Schema, example: Json): fc.Arbitrary<string> {
  const leaves = nodes(schema, example).filter((n) => n.path.length > 0 && (typeof n.value === 'string' || Number.isInteger(n.value)));
  const arbs = leaves.flatMap((n): fc.Arbitrary<{ n: Node; v: Json }>[] => {
    const s = n.schema;
    if (typeof n.value === 'string') {
      const arb = validString(s);
      return arb ? [arb.map((v) => ({ n, v }))] : [];
    }
    if (s.type !== 'integer' || s.minimum === undefined || s.maximum === undefined) return [];
    return [fc.integer({ min: s.minimum, max: Math.min(s.maximum, MAX_INT4) }).map((v) => ({ n, v }))];
  });
  if (arbs.length === 0) return fc.constant(serialize(example));
  return fc.oneof(...arbs).map(({ n, v }) => serialize(setAt(example, n.path, (p, k) => ((p as Record<string, Json>)[k] = v))));
}

const verdict = (invalid: boolean): Probe['expect'] => (invalid ? 'reject' : 'any');

/** Invalid values of one query parameter (the value is sent percent-encoded). */
function queryMutation(p: Parameter): fc.Arbitrary<{ value: string; expect: Probe['expect'] }> {
  const s = p.schema;
  const numeric = s.type === 'integer' || s.type === 'number';
  const outOfRange = (value: string): boolean => {
    const v = Number(value);
    return v > (s.maximum ?? Infinity) || v < (s.minimum ?? -Infinity) || !Number.isFinite(v) || (s.type === 'integer' && !Number.isInteger(v));
  };
  return fc.oneof(
    fc.constantFrom('\u0000', 'a\u0000b').map((value) => ({ value, expect: verdict(true) })),
    // 10,000 characters (a 100 KB URL is answered 431 by the HTTP server before the API sees it: documented).
    fc.constantFrom('x'.repeat(10_000), 'x'.repeat(100_000)).map((value) => ({ value, expect: verdict(s.maxLength !== undefined || numeric || constrained(s) || s.type === 'array' || value.length > 16_000) })),
    fc.constantFrom(...PROTOTYPE_KEYS).map((value) => ({ value, expect: verdict(numeric || constrained(s)) })),
    ...(s.format === 'uuid' || p.name === 'cursor' ? [fc.constantFrom('a'.repeat(36), '-'.repeat(36), 'abcdef01-2345-6789-abcd-ef012345678g').map((value) => ({ value, expect: verdict(true) }))] : []),
    ...(numeric ? [fc.constantFrom(String(MAX_INT4 + 1), String(2 ** 53 - 1), '-1', '1.5', 'NaN', 'Infinity', '1e400').map((value) => ({ value, expect: verdict(outOfRange(value)) }))] : []),
  );
}

void describe('bad input: OpenAPI-driven property test (issue #12)', () => {
  let t: TestApp;
  let db: Client;
  const ids: Record<string, string> = {};
  const tokens: Record<string, string> = {};
  const tally = { requests: 0, '2xx': 0, '4xx': 0, '5xx': 0, other: 0, rejectedChecked: 0 };
  const failures: string[] = [];
  const started = Date.now();

  let fingerprintSql = '';
  /**
   * A fingerprint of the stored data: every table (token last-use times excluded: every request updates them), the
   * tables with a `runId` column (metrics, artifacts, tokens, evaluations: the large ones) restricted to the fixture
   * project's runs, which are the ones the probes write to. One statement; order-independent (a count and a sum of
   * per-row hashes, no sort).
   */
  async function fingerprint(): Promise<string> {
    if (!fingerprintSql) {
      const { rows } = await db.query<{ table_name: string; has_run: boolean }>(
        `SELECT t.table_name, EXISTS (SELECT 1 FROM information_schema.columns c WHERE c.table_schema = 'public' AND c.table_name = t.table_name AND c.column_name = 'runId') AS has_run
         FROM information_schema.tables t WHERE t.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND t.table_name <> '_prisma_migrations' ORDER BY 1`,
      );
      fingerprintSql = rows
        .map(({ table_name: name, has_run: hasRun }) => {
          const where = hasRun ? ` WHERE t."runId" IN (SELECT id FROM "Run" WHERE "projectId" = '${ids['project']!}')` : '';
          return `SELECT '${name}' AS name, count(*)::text AS n, sum(('x' || substr(md5((to_jsonb(t) - 'lastUsedAt')::text), 1, 15))::bit(60)::bigint)::text AS h FROM "${name}" t${where}`;
        })
        .join(' UNION ALL ');
    }
    const { rows } = await db.query<{ name: string; n: string; h: string | null }>(fingerprintSql);
    return rows.map((r) => `${r.name}:${r.n}:${r.h ?? ''}`).join(',');
  }

  before(async () => {
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '1000000' });
    db = new Client({ connectionString: testDatabaseUrl() });
    await db.connect();
    ids['project'] = await createProject(t, 'bad-input fixtures');
    ids['runner'] = await registerRunner(t);
    const run = await createRun(t, ids['project']);
    ids['run'] = run.id;
    tokens['run'] = await jobRunToken(t, run.id);
    const start = await t.request('POST', `/api/runs/${run.id}/start`, { runnerId: ids['runner'], attempt: 1, backend: 'wasm', threads: 1, device: 'cpu' }, tokens['run']);
    assert.equal(start.status, 200, start.text);
    const metrics = await t.request('POST', `/api/runs/${run.id}/metrics`, { points: [{ key: 'loss', step: 1, value: 0.5, time: Date.now() }] }, tokens['run']);
    assert.equal(metrics.status, 201, metrics.text);
    const sweep = await t.request('POST', '/api/sweeps', { projectId: ids['project'], name: 'fixture sweep', method: 'VICReg', searchSpace: { base_lr: { distribution: 'choice', values: [0.1] } } });
    assert.equal(sweep.status, 201, sweep.text);
    ids['sweep'] = sweep.body.id as string;
    // A succeeded run with an evaluation (finished through the runner protocol).
    const done = await createRun(t, ids['project']);
    const doneToken = await jobRunToken(t, done.id);
    await t.request('POST', `/api/runs/${done.id}/start`, { runnerId: ids['runner'], attempt: 1, backend: 'wasm', threads: 1, device: 'cpu' }, doneToken);
    const finished = await t.request('POST', `/api/runs/${done.id}/finish`, { status: 'succeeded' }, doneToken);
    assert.equal(finished.status, 200, finished.text);
    const evaluation = await t.request('POST', `/api/runs/${done.id}/evaluations`, { kind: 'retrieval' });
    assert.equal(evaluation.status, 201, evaluation.text);
    ids['evaluation'] = evaluation.body.id as string;
    tokens['evaluation'] = await evaluationToken(t, ids['evaluation']);
    ids['doneRun'] = done.id;
  });

  after(async () => {
    await db?.end();
    await t?.close();
  });

  /** Valid example bodies and queries per operation ("METHOD /path"); operations without one get generic probes. */
  const examples = (): Record<string, { body?: Json; query?: Record<string, string>; valid?: boolean }> => {
    const sha = 'a'.repeat(64);
    return {
      'POST /api/projects': { body: { name: 'p', description: 'd' }, valid: true },
      'POST /api/runs': { body: { projectId: ids['project']!, name: 'r', method: 'VICReg', config: { base_lr: 0.1 }, seed: 1, evaluations: { kinds: ['retrieval'], config: {} }, logEvery: { steps: 10, seconds: 30 } }, valid: true },
      'GET /api/runs': { query: { projectId: ids['project']!, limit: '10', method: 'VICReg', status: 'running' }, valid: true },
      'POST /api/runs/{id}/artifacts': { body: { kind: 'other', path: 'bad-input/file.bin', size: 1, sha256: sha, step: 1 }, valid: true },
      'POST /api/runs/{id}/start': { body: { runnerId: ids['runner']!, attempt: 1, backend: 'wasm', threads: 1, device: 'cpu' } },
      'POST /api/runs/{id}/progress': { body: { step: 1, totalSteps: 10, epoch: 0, totalEpochs: 1, imagesPerSecond: 1, etaSeconds: null }, valid: true },
      'POST /api/runs/{id}/finish': { body: { status: 'failed', error: 'e' } },
      'POST /api/runs/{id}/metrics': { body: { points: [{ key: 'prop-key', step: 2, value: 1, time: Date.now() }] }, valid: true },
      'GET /api/runs/{id}/metrics': { query: { keys: 'loss', fromStep: '0', toStep: '10', points: '100' }, valid: true },
      'GET /api/metrics/compare': { query: { runIds: ids['run']!, keys: 'loss', fromStep: '0', toStep: '10', points: '100' }, valid: true },
      'GET /api/runs/{id}/metrics/export': { query: { format: 'csv', keys: 'loss' }, valid: true },
      'GET /api/sweeps/{id}/metrics/export': { query: { format: 'jsonl' }, valid: true },
      'POST /api/sweeps': {
        body: { projectId: ids['project']!, name: 's', method: 'VICReg', baseConfig: { epochs: 1 }, methodConfig: { VICReg: { sim_coeff: 10 } }, searchSpace: { base_lr: { distribution: 'choice', values: [0.1, 0.2] } }, strategy: 'grid', seed: 0, maxConcurrency: 2, priority: 0, dryRun: true },
        valid: true,
      },
      'GET /api/sweeps': { query: { projectId: ids['project']! }, valid: true },
      'POST /api/runners': { body: { name: 'r', hostname: 'h', devices: 1, device: 'cpu', backend: 'wasm' }, valid: true },
      'POST /api/runners/{id}/heartbeat': { body: { activeRunIds: [ids['run']!] }, valid: true },
      'POST /api/runs/{id}/evaluations': { body: { kind: 'retrieval', config: { batch_size: 8 } } },
      'GET /api/evaluations/table': { query: { projectId: ids['project']!, part: 'full', format: 'json' }, valid: true },
      'POST /api/evaluations/{id}/report': { body: { status: 'failed', error: 'e' } },
      'GET /api/runs/{id}/weights': { query: { format: 'pth-state-dict' } },
    };
  };

  /** The fixture id a path's `{id}` stands for. */
  const idFor = (op: Operation): string => {
    if (op.path.startsWith('/api/projects/')) return ids['project']!;
    if (op.path.startsWith('/api/sweeps/')) return ids['sweep']!;
    if (op.path.startsWith('/api/runners/')) return ids['runner']!;
    if (op.path.startsWith('/api/evaluations/')) return ids['evaluation']!;
    if (op.path.endsWith('/evaluations') || op.path.endsWith('/weights')) return ids['doneRun']!;
    return ids['run']!;
  };
  /** The token an operation's caller holds: admin where admin may call it, else the runner's or the run's. */
  const tokenFor = (op: Operation): string => {
    if (/\badmin\b/.test(op.scopes) || !/\b(run|runner)\b/.test(op.scopes)) return t.adminToken;
    if (op.path.startsWith('/api/evaluations/')) return tokens['evaluation']!;
    if (op.path.startsWith('/api/runners/') || !/\brun\b/.test(op.scopes)) return t.runnerToken;
    return tokens['run']!;
  };

  async function send(op: Operation, probe: Probe): Promise<void> {
    const search = new URLSearchParams(probe.query).toString();
    const headers: Record<string, string> = { authorization: `Bearer ${tokenFor(op)}` };
    if (probe.body !== undefined) headers['content-type'] = 'application/json';
    const before = probe.expect === 'reject' ? await fingerprint() : '';
    const res = await fetch(`${t.baseUrl}${probe.path}${search ? `?${search}` : ''}`, { method: op.method, headers, ...(probe.body !== undefined ? { body: probe.body } : {}) });
    const text = await res.text();
    if (process.env['BAD_INPUT_TRACE']) console.error(`${Date.now() - started} ms ${op.method} ${probe.path.slice(0, 80)} ${probe.label} ${res.status}`);
    tally.requests += 1;
    const klass = res.status >= 500 ? '5xx' : res.status >= 400 ? '4xx' : res.status >= 200 && res.status < 300 ? '2xx' : 'other';
    tally[klass] += 1;
    const where = `${op.method} ${op.path} [${probe.label}${probe.field !== null ? ` at ${probe.field}` : ''}] → ${res.status} ${text.slice(0, 300)}`;
    if (res.status >= 500) failures.push(`5xx: ${where}`);
    else if (!op.statuses.has(res.status)) failures.push(`undocumented status: ${where}`);
    if (probe.expect === 'reject') {
      if (res.status < 400) failures.push(`accepted: ${where}`);
      const after = await fingerprint();
      tally.rejectedChecked += 1;
      if (after !== before) failures.push(`stored data changed by a rejected request: ${where}`);
    }
    if (res.status === 400) {
      let body: JsonBody;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      const issues = (body?.error?.issues ?? []) as { path: string }[];
      const code = body?.error?.code as string | undefined;
      if (code !== 'bad_json') {
        if (issues.length === 0) failures.push(`400 without issues: ${where}`);
        else if (probe.field !== null) {
          const f = probe.field;
          const named = issues.some((i) => i.path === f || i.path.startsWith(`${f}.`) || (i.path !== '' && f.startsWith(`${i.path}.`)));
          if (!named) failures.push(`400 not naming ${f}: ${where}`);
        }
      }
    }
  }

  void it('answers every generated input of every operation without a 5xx, naming the field, storing nothing it refused', { timeout: 600_000 }, async () => {
    const ops = operations();
    const ex = examples();
    const runsPerOperation = Number(process.env['BAD_INPUT_RUNS'] ?? 12);
    for (const op of ops) {
      if (op.method === 'GET' && op.path === '/api/health') continue;
      const key = `${op.method} ${op.path}`;
      const example = ex[key];
      const hasId = op.path.includes('{id}');
      // `{id}` is the fixture (or the probe's id); any other path parameter an id nothing has (the nil UUID).
      const pathWith = (id: string) => op.path.replace('{id}', id).replace(/\{\w+\}/g, '00000000-0000-0000-0000-000000000000');
      const fixturePath = pathWith(idFor(op));
      const query = example?.query ?? {};
      const probes: fc.Arbitrary<Probe>[] = [];
      if (hasId) {
        probes.push(
          fc.constantFrom('%zz', '%', 'a'.repeat(36), '-'.repeat(36), 'not-a-uuid', '%00', 'x'.repeat(5000)).map((id) => ({ label: 'bad path id', path: pathWith(id), query, field: 'id', expect: 'reject' as const, ...(op.body ? { body: serialize(example?.body ?? {}) } : {}) })),
          fc.uuid().map((id) => ({ label: 'unknown id', path: pathWith(id), query, field: null, expect: 'any' as const, ...(op.body ? { body: serialize(example?.body ?? {}) } : {}) })),
        );
      }
      const bodyText = op.body ? serialize(example?.body ?? {}) : undefined;
      for (const p of op.parameters.filter((x) => x.in === 'query')) {
        probes.push(queryMutation(p).map(({ value, expect }) => ({ label: `query ${p.name}`, path: fixturePath, query: { ...query, [p.name]: value }, field: expect === 'reject' ? p.name : null, expect, ...(bodyText !== undefined ? { body: bodyText } : {}) })));
      }
      // An unknown query parameter (a typo such as limt, or a prototype key): 400 naming it, on every route.
      const known = new Set(op.parameters.filter((x) => x.in === 'query').map((x) => x.name));
      probes.push(
        fc
          .oneof(fc.stringMatching(/^[a-z][A-Za-z_]{0,12}$/), fc.constantFrom(...PROTOTYPE_KEYS))
          .filter((name) => !known.has(name))
          .map((name) => ({ label: 'unknown query parameter', path: fixturePath, query: { ...query, [name]: '1' }, field: name, expect: 'reject' as const, ...(bodyText !== undefined ? { body: bodyText } : {}) })),
      );
      if (op.body) {
        probes.push(bodyMutation(op.body, example?.body ?? {}).filter((m) => example?.valid === true || example?.body === undefined || m.expect === 'reject').map((m) => ({ label: m.label, path: fixturePath, query, body: m.body, field: example?.body === undefined ? null : m.field, expect: example?.body === undefined ? 'any' : m.expect })));
        if (example?.valid && example.body !== undefined) probes.push(validBody(op.body, example.body).map((body) => ({ label: 'valid', path: fixturePath, query, body, field: null, expect: 'any' as const })));
      } else if (example?.valid || op.method === 'GET') {
        probes.push(fc.constant({ label: 'valid', path: fixturePath, query, field: null, expect: 'any' as const }));
      }
      if (probes.length === 0) continue;
      await fc.assert(
        fc.asyncProperty(fc.oneof(...probes), async (probe) => {
          await send(op, probe);
        }),
        { numRuns: runsPerOperation, seed: Number(process.env['BAD_INPUT_SEED'] ?? 12) },
      );
    }
    // The fixture run's stored series is what it was before the test.
    const series = await t.request('GET', `/api/runs/${ids['run']!}/metrics?keys=loss`);
    assert.deepEqual(
      (series.body.series[0].points as { step: number; value: number }[]).map((p) => [p.step, p.value]),
      [[1, 0.5]],
    );
    console.log(`bad-input: ${JSON.stringify({ operations: ops.length, ...tally })}`);
    assert.deepEqual(failures, [], `${failures.length} failures:\n${failures.slice(0, 60).join('\n')}`);
  });
});
