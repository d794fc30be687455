import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildEvaluationTable, evaluationTableCsv, meanStd, type TableResult, type TableRun } from './evaluation-table';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const run = (n: number, method: string, seed: number, extra: Record<string, unknown> = {}): TableRun => ({
  id: id(n),
  name: `r${n}`,
  method,
  seed,
  config: { seed, epochs: 10, ...extra },
  sweepParams: { seed, ...extra },
});
const result = (n: number, kind: string, metrics: Record<string, number>, extra: Partial<TableResult> = {}): TableResult => ({
  runId: id(n),
  kind,
  part: kind === 'retrieval' ? 'equi' : 'full',
  checkpoint: 'final',
  status: 'succeeded',
  metrics,
  updatedAt: new Date(0),
  ...extra,
});

void test('groups seeds into mean ± sample std, deltas vs a baseline, best per column (PRE lower), n/a, CSV', () => {
  const runs = [run(1, 'SIE', 0), run(2, 'SIE', 1), run(3, 'SIE', 2), run(4, 'VICReg', 0), run(5, 'SIE', 0, { equi: 128 })];
  const results = [
    result(1, 'rotation', { val_R2: 0.7 }),
    result(2, 'rotation', { val_R2: 0.8 }),
    result(3, 'rotation', { val_R2: 0.9 }),
    result(1, 'retrieval', { MRR: 0.5, 'H@1': 0.3, 'H@5': 0.9, PRE: 0.2 }),
    result(2, 'retrieval', { MRR: 0.7, 'H@1': 0.5, 'H@5': 0.9, PRE: 0.1 }),
    result(4, 'rotation', { val_R2: 0.5 }),
    result(4, 'retrieval', {}, { status: 'not_applicable' }),
    result(5, 'rotation', { val_R2: 0.95 }),
    result(5, 'retrieval', { MRR: 0.65, 'H@1': 0.4, 'H@5': 0.8, PRE: 0.3 }),
    // a non-final checkpoint and another part are not shown when a final full one exists
    result(1, 'rotation', { val_R2: 0.1 }, { checkpoint: 'epoch-3' }),
    result(1, 'rotation', { val_R2: 0.2 }, { part: 'equi' }),
  ];
  const table = buildEvaluationTable(runs, results, 'full', id(4));
  assert.deepEqual(table.rows.map((r) => [r.method, r.runIds.length]), [['SIE', 3], ['SIE', 1], ['VICReg', 1]]);
  const sie = table.rows.find((r) => r.runIds.length === 3)!;
  assert.deepEqual(sie.seeds, [0, 1, 2]);
  const rot = sie.cells['rotR2']!;
  assert.ok(Math.abs(rot.mean! - 0.8) < 1e-12);
  assert.ok(Math.abs(rot.std! - 0.1) < 1e-12); // sample std of 0.7, 0.8, 0.9
  assert.equal(rot.n, 3);
  assert.ok(Math.abs(rot.delta! - 0.3) < 1e-12); // vs VICReg's 0.5
  assert.equal(sie.cells['PRE']!.n, 2);
  assert.ok(Math.abs(sie.cells['PRE']!.mean! - 0.15) < 1e-12);
  assert.equal(sie.cells['PRE']!.delta, null, 'baseline has no PRE');
  assert.equal(sie.cells['top1']!.mean, null);
  assert.equal(sie.cells['top1']!.notApplicable, false);
  const vicreg = table.rows.find((r) => r.method === 'VICReg')!;
  assert.equal(vicreg.cells['MRR']!.notApplicable, true);
  assert.equal(vicreg.cells['rotR2']!.delta, 0);
  const equi128 = table.rows.findIndex((r) => r.runIds[0] === id(5));
  assert.match(table.rows[equi128]!.label, /^SIE equi=128$/);
  assert.equal(table.best['rotR2'], equi128);
  assert.equal(table.best['PRE'], table.rows.indexOf(sie), 'PRE: lower is better');
  assert.equal(table.best['MRR'], equi128);
  assert.equal(table.best['top1'], null);

  const csv = evaluationTableCsv(table).trim().split('\n');
  assert.equal(csv.length, 4);
  assert.match(csv[0]!, /^method,label,runs,seeds,Classification top-1,Classification top-1 std,/);
  const vicregLine = csv.find((l) => l.startsWith('VICReg'))!.split(',');
  const mrrAt = csv[0]!.split(',').indexOf('MRR');
  assert.equal(vicregLine[mrrAt], 'n/a');
});

void test('meanStd: empty, one value, several', () => {
  assert.deepEqual(meanStd([]), { mean: null, std: null });
  assert.deepEqual(meanStd([2]), { mean: 2, std: null });
  assert.deepEqual(meanStd([1, 3]), { mean: 2, std: Math.SQRT2 });
});

void test('a run started from weights (initWeights) is not grouped with seeded-init runs of the same config', () => {
  const seeded = [run(1, 'SIE', 0), run(2, 'SIE', 1)];
  const initialised = { ...run(3, 'SIE', 2), initWeightsArtifactId: id(99) };
  const results = [result(1, 'rotation', { val_R2: 0.7 }), result(2, 'rotation', { val_R2: 0.8 }), result(3, 'rotation', { val_R2: 0.1 })];
  const table = buildEvaluationTable([...seeded, initialised], results, 'full', null);
  assert.equal(table.rows.length, 2);
  assert.deepEqual(table.rows.map((r) => r.runIds.length).sort(), [1, 2]);
});
