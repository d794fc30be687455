/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call -- response bodies are untyped JSON here; the assertions check their shape */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RUNS_EXPORT_COLUMNS } from '@equilab/contracts';
import { createProject, createRun, startTestApp, type TestApp } from '../testing/test-app';
import { flattenConfig } from './annotations.service';

/** Minimal RFC 4180 reader for the assertions (quoted fields, doubled quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  return rows;
}

void describe('annotations, saved views and the Runs export', () => {
  let t: TestApp;
  let projectId: string;

  before(async () => {
    t = await startTestApp();
    projectId = await createProject(t, 'annotations');
  });
  after(async () => {
    await t.close();
  });

  void it('PATCH /runs/:id renames, replaces tags and notes; 400 naming the field; tags filter the list', async () => {
    const a = await createRun(t, projectId);
    const b = await createRun(t, projectId);
    let res = await t.request('PATCH', `/api/runs/${a.id}`, { name: 'baseline lr 1e-3', tags: ['baseline', 'paper:table-1'], notes: 'first try, "quoted", with a comma' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.name, 'baseline lr 1e-3');
    assert.deepEqual(res.body.tags, ['baseline', 'paper:table-1']);
    res = await t.request('PATCH', `/api/runs/${b.id}`, { tags: ['baseline'] });
    assert.equal(res.status, 200);
    assert.equal(res.body.notes, '', 'notes untouched');
    res = await t.request('GET', `/api/runs?projectId=${projectId}&tags=baseline,paper:table-1`);
    assert.deepEqual(res.body.items.map((r: { id: string }) => r.id), [a.id]);
    res = await t.request('GET', `/api/runs?projectId=${projectId}&tags=baseline`);
    assert.equal(res.body.items.length, 2);

    for (const [body, field] of [
      [{ tags: ['has space'] }, 'tags.0'],
      [{ tags: ['x', 'x'] }, 'tags'],
      [{ tags: ['a'.repeat(65)] }, 'tags.0'],
      [{ notes: 'n'.repeat(10_001) }, 'notes'],
      [{ name: '' }, 'name'],
      [{ colour: 'red' }, ''],
      [{}, ''],
    ] as const) {
      res = await t.request('PATCH', `/api/runs/${a.id}`, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      if (field) assert.ok(res.body.error.issues.some((i: { path: string }) => i.path === field), `${JSON.stringify(body)}: ${res.text}`);
    }
    assert.equal((await t.request('GET', `/api/runs?projectId=${projectId}&tags=has%20space`)).status, 400);
    assert.deepEqual((await t.request('GET', `/api/runs/${a.id}`)).body.tags, ['baseline', 'paper:table-1'], 'nothing stored was lost');
    assert.equal((await t.request('PATCH', '/api/runs/00000000-0000-4000-8000-000000000000', { notes: 'x' })).status, 404);
  });

  void it('PATCH /sweeps/:id and the sweeps tag filter', async () => {
    const created = await t.request('POST', '/api/sweeps', { projectId, name: 'lr sweep', method: 'VICReg', baseConfig: {}, searchSpace: { base_lr: { distribution: 'choice', values: [0.1] } } });
    assert.equal(created.status, 201, created.text);
    const res = await t.request('PATCH', `/api/sweeps/${created.body.id}`, { name: 'lr sweep v2', tags: ['lr'], notes: 'grid over lr' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.name, 'lr sweep v2');
    assert.deepEqual(res.body.tags, ['lr']);
    assert.equal(res.body.notes, 'grid over lr');
    const list = await t.request('GET', `/api/sweeps?projectId=${projectId}&tags=lr`);
    assert.deepEqual(list.body.items.map((s: { id: string }) => s.id), [created.body.id]);
    assert.equal((await t.request('GET', `/api/sweeps?projectId=${projectId}&tags=none`)).body.items.length, 0);
  });

  void it('saved views: create, list by name, rename, 400 for a taken name or a bad query, delete, 404', async () => {
    const base = `/api/projects/${projectId}/run-views`;
    let res = await t.request('POST', base, { name: 'failed SIE', query: '?status=failed&method=SIE' });
    assert.equal(res.status, 201, res.text);
    const id = res.body.id as string;
    assert.equal((await t.request('POST', base, { name: 'all', query: '' })).status, 201);
    res = await t.request('POST', base, { name: 'failed SIE', query: '' });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.issues[0].path, 'name');
    res = await t.request('POST', base, { name: 'bad', query: 'status=failed' });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.issues[0].path, 'query');
    res = await t.request('GET', base);
    assert.deepEqual(res.body.items.map((v: { name: string }) => v.name), ['all', 'failed SIE']);
    res = await t.request('PUT', `${base}/${id}`, { name: 'SIE failures' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.query, '?status=failed&method=SIE');
    assert.equal((await t.request('DELETE', `${base}/${id}`)).status, 204);
    assert.equal((await t.request('DELETE', `${base}/${id}`)).status, 404);
    assert.equal((await t.request('GET', '/api/projects/00000000-0000-4000-8000-000000000000/run-views')).status, 404);
  });

  void it('GET /runs/export: one row per run with fields, tags, notes, config and last metric values; filters and search', async () => {
    const project = await createProject(t, 'export');
    const a = await createRun(t, project, { name: 'alpha', config: { base_lr: 0.5 } });
    const b = await createRun(t, project, { name: 'beta' });
    await t.request('PATCH', `/api/runs/${a.id}`, { tags: ['keep'], notes: 'line one\nline "two", three' });
    const points = [0, 1, 2].map((step) => ({ key: 'Loss/Total loss', step, value: 3 - step, time: 1_700_000_000_000 + step }));
    assert.equal((await t.request('POST', `/api/runs/${a.id}/metrics`, { points })).status, 201);

    let res = await t.request('GET', `/api/runs/export?projectId=${project}&sort=name`);
    assert.equal(res.status, 200, res.text);
    const rows = parseCsv(res.text);
    const header = rows[0]!;
    assert.deepEqual(header.slice(0, RUNS_EXPORT_COLUMNS.length), [...RUNS_EXPORT_COLUMNS]);
    assert.ok(header.includes('config.base_lr'));
    assert.ok(header.includes('metric:Loss/Total loss'));
    const col = (name: string) => header.indexOf(name);
    assert.deepEqual(rows.slice(1).map((r) => r[col('name')]), ['alpha', 'beta']);
    const alpha = rows[1]!;
    assert.equal(alpha[col('id')], a.id);
    assert.equal(alpha[col('tags')], 'keep');
    assert.equal(alpha[col('notes')], 'line one\nline "two", three');
    assert.equal(alpha[col('config.base_lr')], '0.5');
    assert.equal(alpha[col('metric:Loss/Total loss')], '1');
    assert.equal(rows[2]![col('metric:Loss/Total loss')], '');

    res = await t.request('GET', `/api/runs/export?projectId=${project}&tags=keep`);
    assert.deepEqual(parseCsv(res.text).slice(1).map((r) => r[0]), [a.id]);
    res = await t.request('GET', `/api/runs/export?projectId=${project}&q=BET`);
    assert.deepEqual(parseCsv(res.text).slice(1).map((r) => r[0]), [b.id]);
    res = await t.request('GET', `/api/runs/export?projectId=${project}&q=three`);
    assert.deepEqual(parseCsv(res.text).slice(1).map((r) => r[0]), [a.id], 'notes are searched');
    assert.equal((await t.request('GET', '/api/runs/export')).status, 400);
    assert.equal((await t.request('GET', `/api/runs/export?projectId=${project}&q=${'x'.repeat(201)}`)).status, 400);
  });

  void it('flattenConfig: dotted paths of leaves, arrays as one value', () => {
    assert.deepEqual([...flattenConfig({ a: 1, b: { c: 2, d: { e: 'x' } }, f: [1, 2] })], [
      ['a', 1],
      ['b.c', 2],
      ['b.d.e', 'x'],
      ['f', [1, 2]],
    ]);
  });
});
