import { expect, test } from 'vitest';
import { makeRun } from '../../../../../test/fixtures';
import { groupByOptions, groupRuns, meanSd, parseGroupBy, runsOfRows, serializeGroupBy, statusSummary, tableRows, type GroupBy } from './run-groups';

test('a grouping round-trips through its URL form; anything else is refused', () => {
  const cases: GroupBy[] = [{ kind: 'replicate' }, { kind: 'method' }, { kind: 'param', key: 'base_lr' }, { kind: 'config', key: 'optimizer.lr' }];
  for (const g of cases) expect(parseGroupBy(serializeGroupBy(g))).toEqual(g);
  expect(parseGroupBy('param:')).toBeNull();
  expect(parseGroupBy('sweep:x')).toBeNull();
  expect(parseGroupBy('')).toBeNull();
});

test('runs group by replicate group, method, sweep parameter or config field, groups in the order of their first run', () => {
  const runs = [
    makeRun({ method: 'SIE', groupKey: '1111111111111111', sweepParams: { lr: 0.1, seed: 0 }, config: { optimizer: { lr: 0.1 }, seed: 0 } }),
    makeRun({ method: 'VICReg', groupKey: '2222222222222222', sweepParams: { lr: 0.2, seed: 0 }, config: { optimizer: { lr: 0.2 }, seed: 0 } }),
    makeRun({ method: 'SIE', groupKey: '1111111111111111', sweepParams: { lr: 0.1, seed: 1 }, config: { optimizer: { lr: 0.1 }, seed: 1 } }),
  ];
  const byReplicate = groupRuns(runs, { kind: 'replicate' });
  expect(byReplicate.map((g) => g.runs.map((r) => r.id))).toEqual([[runs[0]!.id, runs[2]!.id], [runs[1]!.id]]);
  expect(byReplicate[0]!.label).toBe('SIE · lr=0.1 · 11111111');
  expect(groupRuns(runs, { kind: 'method' }).map((g) => [g.label, g.runs.length])).toEqual([['SIE', 2], ['VICReg', 1]]);
  expect(groupRuns(runs, { kind: 'param', key: 'seed' }).map((g) => [g.label, g.runs.length])).toEqual([['seed = 0', 2], ['seed = 1', 1]]);
  expect(groupRuns(runs, { kind: 'config', key: 'optimizer.lr' }).map((g) => [g.label, g.runs.length])).toEqual([['optimizer.lr = 0.1', 2], ['optimizer.lr = 0.2', 1]]);
  // A run without the parameter forms its own group.
  expect(groupRuns([...runs, makeRun()], { kind: 'param', key: 'lr' }).map((g) => g.label)).toEqual(['lr = 0.1', 'lr = 0.2', 'lr = —']);
  // Options: replicate, method, the sweep parameters given, the config fields that vary.
  expect(groupByOptions(runs, ['lr']).map((o) => o.value)).toEqual(['replicate', 'method', 'param:lr', 'config:optimizer.lr', 'config:seed']);
});

test('rows: closed groups alone, open ones followed by their runs; a closed group stands for its runs', () => {
  const runs = [makeRun({ groupKey: 'aaaaaaaaaaaaaaaa' }), makeRun({ groupKey: 'bbbbbbbbbbbbbbbb' }), makeRun({ groupKey: 'aaaaaaaaaaaaaaaa' })];
  const groups = groupRuns(runs, { kind: 'replicate' });
  expect(tableRows(runs, null, new Set()).map((r) => r.kind)).toEqual(['run', 'run', 'run']);
  const rows = tableRows(runs, groups, new Set(['bbbbbbbbbbbbbbbb']));
  expect(rows.map((r) => (r.kind === 'group' ? `g:${r.group.id[0]}` : `r:${r.run.id}`))).toEqual(['g:a', 'g:b', `r:${runs[1]!.id}`]);
  expect(runsOfRows(rows.slice(0, 1)).map((r) => r.id)).toEqual([runs[0]!.id, runs[2]!.id]);
});

test('mean ± sample sd over finite values; a status summary most frequent first', () => {
  expect(meanSd([1, 2, 3])).toEqual({ mean: 2, sd: 1, n: 3 });
  expect(meanSd([4])).toEqual({ mean: 4, sd: 0, n: 1 });
  expect(meanSd([Number.NaN])).toBeNull();
  expect(statusSummary([makeRun({ status: 'running' }), makeRun({ status: 'succeeded' }), makeRun({ status: 'succeeded' })])).toBe('2 succeeded · 1 running');
});
