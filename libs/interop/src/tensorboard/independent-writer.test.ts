import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { FILE_VERSION } from './event.schema';
import { findEventLogDirs } from './log-dir.scan';
import { readEventRun } from './event-run.reader';
import { scalarsToMetricPoints } from './metric-points';

/**
 * Event files written by PyTorch's own `torch.utils.tensorboard.SummaryWriter` (the reference's writer) with
 * TensorBoard's record writer — not by this package. How they were made: fixtures/tensorboard/README.md.
 */
const fixtures = path.join(__dirname, '..', '..', 'fixtures', 'tensorboard');

interface Expected {
  run: string;
  tag: string;
  step: number;
  value: number;
  wall_time: number;
}

const expected = JSON.parse(readFileSync(path.join(fixtures, 'expected.json'), 'utf8')) as Expected[];
const id = (run: string, tag: string, step: number) => `${run}|${tag}|${step}`;

void test('reference-style TensorBoard directory written by PyTorch: one run per log directory, every scalar, tag and wall time', () => {
  const logDirs = findEventLogDirs(path.join(fixtures, 'reference-style'));
  assert.deepEqual(logDirs.map((d) => d.name), ['SIE_seed1', 'VICReg_seed1']);
  const seen = new Map<string, { value: number; wallTime: number }>();
  for (const logDir of logDirs) {
    const run = readEventRun(logDir);
    assert.deepEqual(run.errors, []);
    assert.deepEqual(run.files.map((f) => f.fileVersion), [FILE_VERSION]);
    for (const p of run.points) seen.set(id(run.name, p.tag, p.step), { value: p.value, wallTime: p.wallTime });
    if (run.name === 'SIE_seed1') {
      // simple_value scalars, plus the histogram the writer logged every 4th time.
      assert.deepEqual(run.skipped, [{ tag: 'Hist/backbone output', kind: 'histogram', count: 3 }]);
    } else {
      // new_style=True: tensor-form scalars with the scalars plugin (General/lr in double precision).
      assert.deepEqual(run.skipped, []);
    }
  }
  assert.equal(seen.size, expected.length);
  for (const e of expected) {
    const got = seen.get(id(e.run, e.tag, e.step));
    assert.ok(got, `missing ${id(e.run, e.tag, e.step)}`);
    assert.equal(got.value, e.value, id(e.run, e.tag, e.step));
    assert.equal(got.wallTime, e.wall_time, id(e.run, e.tag, e.step));
  }
  const tags = new Set(expected.filter((e) => e.run === 'SIE_seed1').map((e) => e.tag));
  assert.ok(tags.has('Loss/Total loss') && tags.has('Stats/Corr. representations view1') && tags.has('Online eval embs/R2 embeddings-equi'));
});

void test('the reference-style scalars become Equilab metric points with nothing dropped', () => {
  const [sie] = findEventLogDirs(path.join(fixtures, 'reference-style'));
  const conversion = scalarsToMetricPoints(readEventRun(sie!).points);
  assert.deepEqual(conversion.dropped, []);
  assert.equal(conversion.points.length, expected.filter((e) => e.run === 'SIE_seed1').length);
  const total = conversion.points.find((p) => p.key === 'Loss/Total loss' && p.step === 0);
  const written = expected.find((e) => e.run === 'SIE_seed1' && e.tag === 'Loss/Total loss' && e.step === 0);
  assert.deepEqual(total, { key: 'Loss/Total loss', step: 0, value: written?.value, time: 1_700_000_000_250 });
});
