import { createLoader } from 'nuqs/server';
import { describe, expect, test } from 'vitest';
import { makeRun } from '../../../../../test/fixtures';
import {
  DEFAULT_SORT,
  MAX_METRIC_COLUMNS,
  belongsAtTop,
  compareValues,
  defaultMetricColumns,
  needsEveryRun,
  nextSort,
  parseSort,
  runsQueryParsers,
  searchRuns,
  serializeRunsQuery,
  serializeSort,
  serverQuery,
  shownMetricColumns,
  sortRuns,
  toggleMetricColumn,
  type RunsSort,
} from './runs-query';

const loadQuery = createLoader(runsQueryParsers);

describe('sort in the URL', () => {
  test('round-trips server, parameter and metric columns in both directions', () => {
    const sorts: RunsSort[] = [
      DEFAULT_SORT,
      { column: { kind: 'server', key: 'name' }, descending: false },
      { column: { kind: 'param', key: 'optimizer.lr' }, descending: true },
      { column: { kind: 'metric', key: 'Loss/Invariance loss' }, descending: false },
    ];
    for (const sort of sorts) expect(parseSort(serializeSort(sort))).toEqual(sort);
    expect(serializeSort(DEFAULT_SORT)).toBe('-createdAt');
    expect(serializeSort(sorts[2] as RunsSort)).toBe('-param:optimizer.lr');
  });
  test('rejects what is no column', () => {
    expect(parseSort('updatedAt')).toBeNull();
    expect(parseSort('-tag:x')).toBeNull();
    expect(parseSort('metric:')).toBeNull();
    expect(parseSort('')).toBeNull();
  });
  test('a metric key with a colon keeps it', () => {
    expect(parseSort('metric:a:b')).toEqual({ column: { kind: 'metric', key: 'a:b' }, descending: false });
  });
});

describe('the query string', () => {
  test('defaults are left out of the URL', () => {
    expect(serializeRunsQuery('/projects/p/runs', { q: '', status: [], method: '', sort: DEFAULT_SORT, metrics: null })).toBe('/projects/p/runs');
  });
  test('a shared link reads back as the same table', () => {
    const query = { q: 'lr', status: ['running' as const, 'failed' as const], method: 'SIE', tags: ['baseline', 'paper:table-1'], sort: { column: { kind: 'metric' as const, key: 'Loss/total' }, descending: true }, metrics: ['Loss/total', 'odd,name'], group: { kind: 'param' as const, key: 'base_lr' } };
    const url = serializeRunsQuery('/projects/p/runs', query);
    expect(url).toContain('status=running,failed');
    expect(url).toContain('group=param:base_lr');
    expect(url).toContain('tags=baseline,paper:table-1');
    expect(loadQuery(new URL(url, 'http://localhost').searchParams)).toEqual(query);
  });
  test('no metrics chosen is kept apart from the default columns', () => {
    expect(loadQuery('?metrics=').metrics).toEqual([]);
    expect(loadQuery('').metrics).toBeNull();
  });
  test('unknown statuses and sorts in a hand-edited URL are ignored', () => {
    const query = loadQuery('?status=running,bogus&sort=-nonsense');
    expect(query.status).toEqual(['running']);
    expect(query.sort).toEqual(DEFAULT_SORT);
    expect(loadQuery('?group=nonsense').group).toBeNull();
  });
});

test('header clicks flip the direction of the same column; a new column starts ascending, Created descending', () => {
  const byName = nextSort(DEFAULT_SORT, { kind: 'server', key: 'name' });
  expect(byName).toEqual({ column: { kind: 'server', key: 'name' }, descending: false });
  expect(nextSort(byName, { kind: 'server', key: 'name' }).descending).toBe(true);
  expect(nextSort(byName, { kind: 'server', key: 'createdAt' })).toEqual(DEFAULT_SORT);
});

test('the API sorts server columns; browser-side sorts ask for the newest first and for every page', () => {
  const byParam = { q: '', status: [], method: '', sort: { column: { kind: 'param' as const, key: 'lr' }, descending: false } };
  expect(serverQuery(byParam).sort).toBe('-createdAt');
  expect(needsEveryRun(byParam)).toBe(true);
  const byName = { ...byParam, sort: { column: { kind: 'server' as const, key: 'name' as const }, descending: true } };
  expect(serverQuery(byName).sort).toBe('-name');
  expect(needsEveryRun(byName)).toBe(false);
  expect(needsEveryRun({ ...byName, q: ' x ' })).toBe(true);
  expect(needsEveryRun({ ...byName, q: '   ' })).toBe(false);
  expect(needsEveryRun({ ...byName, group: { kind: 'replicate' } })).toBe(true);
});

test('a live run goes on top only when it matches the filters and the list is newest first', () => {
  const run = makeRun({ status: 'running', method: 'SIE' });
  expect(belongsAtTop(run, { status: [], method: '', sort: '-createdAt' })).toBe(true);
  expect(belongsAtTop(run, { status: ['running'], method: 'SIE', sort: '-createdAt' })).toBe(true);
  expect(belongsAtTop(run, { status: ['failed'], method: '', sort: '-createdAt' })).toBe(false);
  expect(belongsAtTop(run, { status: [], method: 'VICReg', sort: '-createdAt' })).toBe(false);
  expect(belongsAtTop(run, { status: [], method: '', sort: 'name' })).toBe(false);
});

test('search matches name, id prefix, method and sweep parameters, case-insensitively', () => {
  const a = makeRun({ name: 'Baseline', method: 'SIE' });
  const b = makeRun({ name: 'other', sweepParams: { base_lr: 0.003 } });
  const runs = [a, b];
  expect(searchRuns(runs, 'base')).toEqual([a, b]);
  expect(searchRuns(runs, 'BASELINE')).toEqual([a]);
  expect(searchRuns(runs, 'sie')).toEqual([a]);
  expect(searchRuns(runs, '0.003')).toEqual([b]);
  expect(searchRuns(runs, b.id)).toEqual([b]);
  expect(searchRuns(runs, '  ')).toBe(runs);
});

describe('browser-side sorting', () => {
  const small = makeRun({ sweepParams: { lr: 0.001, opt: 'adam' } });
  const large = makeRun({ sweepParams: { lr: 0.01, opt: 'sgd' } });
  const none = makeRun({ sweepParams: null });
  const runs = [none, large, small];

  test('numbers sort numerically and missing values stay last in both directions', () => {
    const ids = (list: readonly { id: string }[]) => list.map((r) => r.id);
    expect(ids(sortRuns(runs, { column: { kind: 'param', key: 'lr' }, descending: false }, new Map()))).toEqual(ids([small, large, none]));
    expect(ids(sortRuns(runs, { column: { kind: 'param', key: 'lr' }, descending: true }, new Map()))).toEqual(ids([large, small, none]));
  });
  test('metric columns sort by the latest values known', () => {
    const latest = new Map([
      [small.id, { 'Loss/total': 3 }],
      [large.id, { 'Loss/total': 1 }],
    ]);
    expect(sortRuns(runs, { column: { kind: 'metric', key: 'Loss/total' }, descending: false }, latest).map((r) => r.id)).toEqual([large.id, small.id, none.id]);
  });
  test('server columns keep the order the API gave', () => {
    expect(sortRuns(runs, DEFAULT_SORT, new Map())).toBe(runs);
  });
  test('text compares naturally (run-2 before run-10)', () => {
    expect(compareValues('run-2', 'run-10')).toBeLessThan(0);
    expect(compareValues({ a: 1 }, { a: 2 })).toBeLessThan(0);
  });
});

describe('metric columns', () => {
  const keys = ['General/lr', 'Loss/a', 'Loss/b', 'Loss/c'];
  test('default to the first two losses until some are chosen', () => {
    expect(defaultMetricColumns(keys)).toEqual(['Loss/a', 'Loss/b']);
    expect(shownMetricColumns(null, keys)).toEqual(['Loss/a', 'Loss/b']);
    expect(shownMetricColumns([], keys)).toEqual([]);
    expect(shownMetricColumns(['General/lr'], keys)).toEqual(['General/lr']);
  });
  test(`are capped at ${MAX_METRIC_COLUMNS}`, () => {
    const six = ['a', 'b', 'c', 'd', 'e', 'f'];
    expect(toggleMetricColumn(six, 'g', true)).toEqual(six);
    expect(toggleMetricColumn(six, 'c', false)).toEqual(['a', 'b', 'd', 'e', 'f']);
    expect(toggleMetricColumn(['a'], 'a', true)).toEqual(['a']);
    expect(toggleMetricColumn(['a'], 'b', true)).toEqual(['a', 'b']);
  });
});

test('the search looks at tags, notes and sweep parameters as key=value; the default columns start with the total loss', () => {
  const tagged = makeRun({ name: 'a', tags: ['baseline'], notes: 'diverged at epoch 3', sweepParams: { base_lr: 0.1 } });
  const other = makeRun({ name: 'b' });
  expect(searchRuns([tagged, other], 'BASE')).toEqual([tagged]);
  expect(searchRuns([tagged, other], 'diverged')).toEqual([tagged]);
  expect(searchRuns([tagged, other], 'base_lr=0.1')).toEqual([tagged]);
  expect(defaultMetricColumns(['Loss/Covariance', 'Loss/Invariance', 'Loss/Total loss'])).toEqual(['Loss/Total loss', 'Loss/Covariance']);
});
