import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { curveFromMetrics, readCurveFile, readMetricsFile, type Curve, type CurveRow } from './curve.format';
import { compareCurves, verdictOf } from './parity';
import { renderParityChart } from './parity.chart';
import { parityMarkdown } from './parity.report';
import { runSciencePlan, sciencePlan, stepsDone, writeRunCurve } from './science.run';

const REFERENCE_DIR = process.env.SIE_REFERENCE_DIR ?? path.resolve(__dirname, '..', '..', '..', '..', '..', 'shared', 'reference');

function tmp(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'equilab-science-'));
}

function curve(method: string, seed: number, rows: [number, Record<string, number>][]): Curve {
  const r: CurveRow[] = rows.map(([step, stats]) => ({ step, value: stats, mean100: stats }));
  return { header: { header: true, method, seed, steps: rows[rows.length - 1]?.[0] ?? 100 }, rows: r, source: `${method}_seed${seed}` };
}

void test('a curve row at step S summarises the steps S−100 … S−1 of a run logged from step 0', () => {
  const series = new Map([
    ['Loss/Total loss', new Map(Array.from({ length: 250 }, (_, s) => [s, s] as [number, number]))],
    ['General/epoch', new Map([[0, 0]])],
  ]);
  const c = curveFromMetrics(series, { header: true, method: 'SIE', seed: 1, steps: 250 });
  assert.deepEqual(
    c.rows.map((r) => [r.step, r.value['Loss/Total loss'], r.mean100['Loss/Total loss']]),
    [
      [100, 99, 49.5],
      [200, 199, 149.5],
    ],
  );
  assert.ok(!('General/epoch' in (c.rows[0] as CurveRow).mean100));
});

void test('metrics.jsonl: a step logged twice keeps its last value; a torn last line (machine stopped mid-write) is ignored', () => {
  const dir = tmp();
  try {
    const file = path.join(dir, 'metrics.jsonl');
    writeFileSync(file, ['{"key":"a","step":0,"value":1}', '{"key":"a","step":1,"value":2}', '{"key":"a","step":1,"value":3}', '{"key":"a","st'].join('\n'));
    assert.deepEqual([...(readMetricsFile(file).get('a') as Map<number, number>)], [
      [0, 1],
      [1, 3],
    ]);
    writeFileSync(file, ['{"key":"a","step":0,"value":1}', 'garbage', '{"key":"a","step":1,"value":2}', ''].join('\n'));
    assert.throws(() => readMetricsFile(file), /metrics\.jsonl:2: not a JSON line/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('verdicts: inside the band, inside the widened band, outside; relative tolerances have a floor', () => {
  const abs = { kind: 'abs', delta: 0.03 } as const;
  assert.equal(verdictOf(abs, 0.3, 0.29, 0.31), 'inside');
  assert.equal(verdictOf(abs, 0.335, 0.29, 0.31), 'within-delta');
  assert.equal(verdictOf(abs, 0.345, 0.29, 0.31), 'outside');
  const rel = { kind: 'rel', delta: 0.15, floor: 0.005 } as const;
  assert.equal(verdictOf(rel, 1.14, 0.9, 1.0), 'within-delta');
  assert.equal(verdictOf(rel, 1.16, 0.9, 1.0), 'outside');
  assert.equal(verdictOf(rel, 0.014, 0.01, 0.01), 'within-delta');
  assert.equal(verdictOf(rel, 0.016, 0.01, 0.01), 'outside');
});

void test('comparison per method: Equilab mean over seeds against the reference band, acceptance failing only on acceptance stats', () => {
  const top1 = 'Online eval reprs/Top-1 representations';
  const corr = 'Stats/Corr. representations view1';
  const reference = [curve('VICReg', 1, [[1000, { [top1]: 0.6, [corr]: 0.05 }]]), curve('VICReg', 2, [[1000, { [top1]: 0.66, [corr]: 0.06 }]])];
  const close = [curve('VICReg', 1, [[1000, { [top1]: 0.7, [corr]: 0.5 }]]), curve('VICReg', 2, [[1000, { [top1]: 0.7, [corr]: 0.5 }]])];
  const report = compareCurves(close, reference, [1000, 2000]);
  const [vicreg] = report.methods;
  assert.ok(vicreg);
  assert.deepEqual(vicreg.steps, [1000]);
  assert.equal(vicreg.cells.find((c) => c.stat === top1)?.verdict, 'within-delta');
  // A statistic without an acceptance δ may lie outside without failing the acceptance.
  assert.equal(vicreg.cells.find((c) => c.stat === corr)?.verdict, 'outside');
  assert.equal(report.ok, true);
  const far = [curve('VICReg', 1, [[1000, { [top1]: 0.8 }]])];
  assert.equal(compareCurves(far, reference, [1000]).ok, false);
  assert.match(parityMarkdown(compareCurves(far, reference, [1000])), /Acceptance: 0 of 1 cells inside their band; outside: Online eval reprs\/Top-1 representations @ 1000/);
});

void test('cells at 6,000 steps get a verdict but are not part of the parity acceptance (the ordering decides there)', () => {
  const top1 = 'Online eval reprs/Top-1 representations';
  const reference = [curve('VICReg', 1, [[3000, { [top1]: 0.9 }], [6000, { [top1]: 0.95 }]])];
  const ours = [curve('VICReg', 1, [[3000, { [top1]: 0.91 }], [6000, { [top1]: 0.5 }]])];
  const [vicreg] = compareCurves(ours, reference, [3000, 6000]).methods;
  assert.ok(vicreg);
  const late = vicreg.cells.find((c) => c.stat === top1 && c.step === 6000);
  assert.equal(late?.verdict, 'outside');
  assert.equal(late?.acceptance, false);
  assert.equal(vicreg.cells.find((c) => c.stat === top1 && c.step === 3000)?.acceptance, true);
  assert.equal(vicreg.ok, true);
  assert.match(parityMarkdown(compareCurves(ours, reference, [3000, 6000])), /\*\*Online eval reprs\/Top-1 representations\*\*/);
});

void test('the ordering check reads SIE equivariant part, SIE invariant part and VICReg at the longest step', () => {
  const equi = 'Online eval reprs/R2 representations-equi';
  const inv = 'extra/R2 repr[0:64]';
  const full = 'Online eval reprs/R2 representations';
  const ref = [curve('SIE', 3, [[6000, { [equi]: 0.5, [inv]: 0.39 }]]), curve('VICReg', 3, [[6000, { [full]: 0.36 }]])];
  const good = [curve('SIE', 1, [[6000, { [equi]: 0.49, [inv]: 0.4 }]]), curve('VICReg', 1, [[6000, { [full]: 0.37 }]])];
  const ok = compareCurves(good, ref, [6000]).ordering;
  assert.equal(ok?.ok, true);
  assert.deepEqual(ok?.margins.map((m) => Number(m.equilab.toFixed(2))), [0.12, 0.09]);
  const flat = [curve('SIE', 1, [[6000, { [equi]: 0.42, [inv]: 0.4 }]]), curve('VICReg', 1, [[6000, { [full]: 0.37 }]])];
  assert.equal(compareCurves(flat, ref, [6000]).ordering?.ok, false);
  assert.equal(compareCurves(good.slice(0, 1), ref, [6000]).ordering, null);
});

void test('the reference curves compared with themselves are at parity in every cell (shared/reference)', (t) => {
  if (!existsSync(REFERENCE_DIR)) {
    t.skip(`no reference curves at ${REFERENCE_DIR} (set SIE_REFERENCE_DIR)`);
    return;
  }
  const curves = readdirSync(REFERENCE_DIR)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => readCurveFile(path.join(REFERENCE_DIR, f)));
  assert.ok(curves.length >= 2);
  const report = compareCurves(curves, curves, [1000, 2000, 3000, 6000]);
  assert.ok(report.methods.length >= 1);
  for (const m of report.methods) for (const c of m.cells) assert.notEqual(c.verdict, 'outside', `${m.method} ${c.stat} @ ${c.step}`);
  assert.equal(report.ok, report.ordering === null ? true : report.ordering.ok);
});

void test('science plan: every seed to the short budget first, then the long seeds; runs are resumed and finished runs skipped', async () => {
  const jobs = sciencePlan({ methods: ['SIE', 'VICReg'], seeds: [1, 2], steps: 100, longSeeds: [1], longSteps: 200 });
  assert.deepEqual(
    jobs.map((j) => `${j.method}/${j.seed}/${j.steps}`),
    ['SIE/1/100', 'VICReg/1/100', 'SIE/2/100', 'VICReg/2/100', 'SIE/1/200', 'VICReg/1/200'],
  );
  const dir = tmp();
  try {
    // A stand-in trainer: appends one point per step from where the run's metrics stop to `epochs`·10 steps.
    const cli = path.join(dir, 'fake-cli.js');
    writeFileSync(
      cli,
      `const fs = require('fs'), path = require('path');
const a = process.argv.slice(2); const out = a[a.indexOf('--out') + 1];
const epochs = Number(a.find((x) => x.startsWith('epochs=')).slice(7));
fs.mkdirSync(out, { recursive: true }); const f = path.join(out, 'metrics.jsonl');
const done = fs.existsSync(f) ? fs.readFileSync(f, 'utf8').trim().split('\\n').filter(Boolean).length : 0;
fs.appendFileSync(path.join(path.dirname(out), 'calls.log'), path.basename(out) + ' ' + done + '\\n');
for (let s = done; s < epochs * 10; s++) fs.appendFileSync(f, JSON.stringify({ key: 'Loss/Total loss', step: s, value: s }) + '\\n');`,
    );
    const options = { cli, data: dir, out: dir, backend: 'cpu', parallel: 2, threads: 1, workers: 0, stepsPerEpoch: 10, log: () => undefined };
    const first = await runSciencePlan(jobs, options);
    assert.deepEqual(first.failed, []);
    assert.equal(stepsDone(dir, { method: 'SIE', seed: 1 }), 200);
    assert.equal(stepsDone(dir, { method: 'VICReg', seed: 2 }), 100);
    const calls = readFileSync(path.join(dir, 'runs', 'calls.log'), 'utf8').trim().split('\n').sort();
    assert.deepEqual(calls, ['SIE_seed1 0', 'SIE_seed1 100', 'SIE_seed2 0', 'VICReg_seed1 0', 'VICReg_seed1 100', 'VICReg_seed2 0']);
    // Again: nothing left to train.
    await runSciencePlan(jobs, options);
    assert.equal(readFileSync(path.join(dir, 'runs', 'calls.log'), 'utf8').trim().split('\n').length, 6);
    const written = writeRunCurve(dir, { method: 'SIE', seed: 1 });
    assert.ok(written);
    const written1 = readCurveFile(written);
    assert.equal(written1.header.method, 'SIE');
    assert.deepEqual(written1.rows.map((r) => r.step), [100, 200]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('the parity chart is a PNG with a panel per statistic', async () => {
  const stat = 'Online eval reprs/R2 representations';
  const ref = [curve('VICReg', 1, [[100, { [stat]: 0.2 }], [200, { [stat]: 0.25 }]]), curve('VICReg', 2, [[100, { [stat]: 0.22 }], [200, { [stat]: 0.27 }]])];
  const ours = [curve('VICReg', 1, [[100, { [stat]: 0.21 }], [200, { [stat]: 0.26 }]])];
  const png = await renderParityChart({ method: 'VICReg', stats: [stat, stat], equilab: ours, reference: ref, columns: 2 });
  const meta = await sharp(png).metadata();
  assert.equal(meta.format, 'png');
  assert.equal(meta.width, 760);
});
