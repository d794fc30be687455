import { expect, test } from 'vitest';
import { decodeGroupBy, encodeGroupBy, groupRuns, sweepParamNames } from './run-groups';

const run = (method: string, lr: number, seed: number, groupKey: string, sweepParams: Record<string, unknown> | null = { base_lr: lr }) => ({ method, config: { optim: { base_lr: lr }, seed }, sweepParams, groupKey, seed });
const runs = [run('SIE', 0.1, 0, 'aaaa'), run('SIE', 0.1, 1, 'aaaa'), run('VICReg', 0.2, 0, 'bbbb'), run('SIE', 0.2, 0, 'cccc', null)];

test('by method, by a config field, by a sweep parameter (runs without it: a group of their own)', () => {
  expect(groupRuns(runs, { kind: 'method' }).map((g) => [g.label, g.members])).toEqual([
    ['method=SIE (3)', [0, 1, 3]],
    ['method=VICReg (1)', [2]],
  ]);
  expect(groupRuns(runs, { kind: 'config', field: 'optim.base_lr' }).map((g) => g.members)).toEqual([
    [0, 1],
    [2, 3],
  ]);
  expect(groupRuns(runs, { kind: 'sweep', param: 'base_lr' }).map((g) => [g.label, g.members])).toEqual([
    ['base_lr=0.1 (2)', [0, 1]],
    ['base_lr=0.2 (1)', [2]],
    ['base_lr=— (1)', [3]],
  ]);
});

test('replicate groups share the group key (config without seed), labelled by their first run', () => {
  expect(groupRuns(runs, { kind: 'replicates' }, (i) => `r${i}`).map((g) => [g.label, g.members])).toEqual([
    ['r0 · 2 seeds', [0, 1]],
    ['r2 · 1 seed', [2]],
    ['r3 · 1 seed', [3]],
  ]);
  expect(groupRuns(runs, { kind: 'none' }).map((g) => g.members)).toEqual([[0], [1], [2], [3]]);
});

test('group-by choices round-trip through a select value; sweep parameters are listed', () => {
  for (const by of [{ kind: 'none' }, { kind: 'method' }, { kind: 'replicates' }, { kind: 'config', field: 'a.b' }, { kind: 'sweep', param: 'x:y' }] as const) expect(decodeGroupBy(encodeGroupBy(by))).toEqual(by);
  expect(decodeGroupBy('bogus')).toEqual({ kind: 'none' });
  expect(sweepParamNames(runs)).toEqual(['base_lr']);
});
