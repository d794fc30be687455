/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call -- response bodies are untyped JSON here; the assertions check their shape */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { columnarToSeries } from '@equilab/contracts';
import { PgPoolService } from '../database/pg-pool.service';
import { createProject, createRun, startTestApp, type TestApp } from '../testing/test-app';

const T0 = 1_700_000_000_000;

void describe('metrics', () => {
  let t: TestApp;
  let projectId: string;

  before(async () => {
    t = await startTestApp();
    projectId = await createProject(t, 'metrics');
  });
  after(async () => {
    await t.close();
  });

  const rows = async (runId: string) =>
    (
      await t.app
        .get(PgPoolService)
        .query<{ key: string; step: number; value: number }>(
          `SELECT s."key", u.step, u.value FROM "MetricSeries" s JOIN "MetricChunk" c ON c."seriesId" = s.id
           CROSS JOIN LATERAL unnest(c.steps, c."values") AS u(step, value) WHERE s."runId" = $1 ORDER BY s."key", u.step`,
          [runId],
        )
    ).rows;
  const times = async (runId: string) =>
    (
      await t.app
        .get(PgPoolService)
        .query<{ key: string; step: number; time: string }>(
          `SELECT s."key", u.step, u.time FROM "MetricSeries" s JOIN "MetricChunk" c ON c."seriesId" = s.id
           CROSS JOIN LATERAL unnest(c.steps, c.times) AS u(step, time) WHERE s."runId" = $1 ORDER BY s."key", u.step`,
          [runId],
        )
    ).rows.map((r) => ({ key: r.key, step: r.step, time: Number(r.time) }));

  void it('large batches (COPY into the staging table): duplicates in a batch, late points across chunks, re-sends, concurrent writers', async () => {
    const run = await createRun(t, projectId);
    const post = (points: unknown[]) => t.request('POST', `/api/runs/${run.id}/metrics`, { points });
    // steps 0, 4, 8, … 3996 of two keys (chunks of 1024 steps), then a duplicate of a's step 8 later in the batch
    const even = Array.from({ length: 2_000 }, (_, i) => ({ key: i % 2 ? 'a' : 'b', step: 2 * (i >> 1) * 2, value: i, time: T0 + i }));
    const batch = [...even, { key: 'a', step: 8, value: -1, time: T0 + 99_999 }];
    assert.equal((await post(batch)).status, 201);
    const first = await rows(run.id);
    assert.equal(first.length, 2_000);
    assert.deepEqual(first.find((r) => r.key === 'a' && r.step === 8), { key: 'a', step: 8, value: -1 });
    const firstTimes = await times(run.id);
    // the same batch again: nothing changes, wall times included
    assert.equal((await post(batch)).status, 201);
    assert.deepEqual(await rows(run.id), first);
    assert.deepEqual(await times(run.id), firstTimes);
    // re-sent unchanged values with new times keep the stored times; a changed value takes its new time
    const resent = even.slice(0, 400).filter((p) => !(p.key === 'a' && p.step === 8)).map((p) => ({ ...p, time: p.time + 1_000_000 }));
    resent[2] = { ...resent[2]!, value: 42 };
    assert.equal((await post(resent)).status, 201);
    const afterResend = await times(run.id);
    const changed = afterResend.filter((r, i) => r.time !== firstTimes[i]!.time);
    assert.deepEqual(changed, [{ key: resent[2].key, step: resent[2].step, time: resent[2].time }]);
    // late points: the odd steps of every chunk, written by two concurrent requests into the same chunks
    const odd = (from: number) => Array.from({ length: 500 }, (_, i) => ({ key: 'b', step: (from + i) * 4 + 2, value: 0.5, time: T0 }));
    const [x, y] = await Promise.all([post(odd(0)), post(odd(500))]);
    assert.equal(x.status, 201);
    assert.equal(y.status, 201);
    const b = (await rows(run.id)).filter((r) => r.key === 'b').map((r) => r.step);
    assert.deepEqual(b, Array.from({ length: 2_000 }, (_, i) => i * 2));
    const summary = await t.request('GET', `/api/runs/${run.id}/metrics/summary`);
    assert.deepEqual(
      summary.body.metrics.map((m: { key: string; count: number; lastStep: number }) => [m.key, m.count, m.lastStep]),
      [
        ['a', 1_000, 3_996],
        ['b', 2_000, 3_998],
      ],
    );
  });

  void it('writing the same points twice changes nothing; late points land at their step', async () => {
    const run = await createRun(t, projectId);
    const points = [0, 1, 2, 3].map((step) => ({ key: 'loss', step, value: 10 - step, time: T0 + step }));
    assert.equal((await t.request('POST', `/api/runs/${run.id}/metrics`, { points })).status, 201);
    const first = await rows(run.id);
    const again = await t.request('POST', `/api/runs/${run.id}/metrics`, { points });
    assert.equal(again.status, 201);
    assert.deepEqual(await rows(run.id), first);
    assert.equal(first.length, 4);
    // out of order: step 10 then step 5 (late) then a duplicate inside one batch
    await t.request('POST', `/api/runs/${run.id}/metrics`, { points: [{ key: 'loss', step: 10, value: 0.5, time: T0 + 10 }] });
    await t.request('POST', `/api/runs/${run.id}/metrics`, {
      points: [
        { key: 'loss', step: 5, value: 5, time: T0 + 5 },
        { key: 'acc', step: 5, value: 0.1, time: T0 + 5 },
        { key: 'acc', step: 5, value: 0.2, time: T0 + 6 },
      ],
    });
    const all = await rows(run.id);
    assert.deepEqual(all.filter((r) => r.key === 'loss').map((r) => r.step), [0, 1, 2, 3, 5, 10]);
    assert.deepEqual(all.filter((r) => r.key === 'acc'), [{ key: 'acc', step: 5, value: 0.2 }]);
    const series = await t.request('GET', `/api/runs/${run.id}/metrics?keys=loss`);
    assert.deepEqual(series.body.series[0].points.map((p: { step: number }) => p.step), [0, 1, 2, 3, 5, 10]);
    const detail = await t.request('GET', `/api/runs/${run.id}`);
    assert.deepEqual(detail.body.latestMetrics.loss, { step: 10, value: 0.5, time: T0 + 10 });
    const summary = await t.request('GET', `/api/runs/${run.id}/metrics/summary`);
    assert.deepEqual(summary.body.metrics, [
      { key: 'acc', count: 1, lastStep: 5, last: 0.2, min: 0.2, max: 0.2 },
      { key: 'loss', count: 6, lastStep: 10, last: 0.5, min: 0.5, max: 10 },
    ]);
  });

  void it('downsamples to about the target count keeping the extremes', async () => {
    const run = await createRun(t, projectId);
    const n = 20_000;
    const value = (step: number) => Math.sin(step / 50) + (step === 12_345 ? 100 : 0) - (step === 777 ? 50 : 0);
    for (let start = 0; start < n; start += 10_000) {
      const points = Array.from({ length: 10_000 }, (_, i) => ({ key: 'loss', step: start + i, value: value(start + i), time: T0 + start + i }));
      const res = await t.request('POST', `/api/runs/${run.id}/metrics`, { points });
      assert.equal(res.status, 201, res.text);
    }
    const res = await t.request('GET', `/api/runs/${run.id}/metrics?keys=loss&points=400`);
    assert.equal(res.status, 200, res.text);
    const s = res.body.series[0];
    assert.equal(s.total, n);
    assert.ok(s.points.length <= 400 && s.points.length >= 100, `got ${s.points.length} points`);
    const values = s.points.map((p: { value: number }) => p.value);
    assert.equal(Math.max(...values), value(12_345));
    assert.equal(Math.min(...values), value(777));
    // the band: one bucket per quarter of the points asked for, covering every stored point, with the extremes
    assert.ok(s.band.length <= 100 && s.band.length >= 50, `got ${s.band.length} buckets`);
    assert.equal(s.band.reduce((n: number, b: { count: number }) => n + b.count, 0), n);
    assert.equal(Math.max(...s.band.map((b: { max: number }) => b.max)), value(12_345));
    assert.equal(Math.min(...s.band.map((b: { min: number }) => b.min)), value(777));
    for (const b of s.band) assert.ok(b.fromStep <= b.toStep && b.min <= b.max);
    const steps = s.points.map((p: { step: number }) => p.step);
    assert.deepEqual(steps, [...steps].sort((a, b) => a - b));
    assert.equal(steps[0], 0);
    assert.equal(steps[steps.length - 1], n - 1);
    const ranged = await t.request('GET', `/api/runs/${run.id}/metrics?keys=loss&fromStep=100&toStep=199&points=1000`);
    assert.equal(ranged.body.series[0].points.length, 100);
    assert.equal(ranged.body.series[0].band, undefined, 'not downsampled: no band');
    // zoom: a downsampled sub-range is re-bucketed inside the visible range only
    const zoom = await t.request('GET', `/api/metrics/compare?runIds=${run.id}&keys=loss&fromStep=12000&toStep=12999&points=100`);
    const z = zoom.body.series[0];
    assert.equal(z.total, 1_000);
    assert.ok(z.points.every((p: { step: number }) => p.step >= 12_000 && p.step <= 12_999));
    assert.equal(z.band[0].fromStep, 12_000);
    assert.equal(z.band[z.band.length - 1].toStep, 12_999);
    assert.equal(Math.max(...z.band.map((b: { max: number }) => b.max)), value(12_345));
    const compare = await t.request('GET', `/api/metrics/compare?runIds=${run.id}&keys=loss,missing&points=100`);
    assert.equal(compare.status, 200, compare.text);
    assert.equal(compare.body.series.length, 2);
    assert.ok(compare.body.series[0].points.length <= 100);
    assert.equal(Math.max(...compare.body.series[0].points.map((p: { value: number }) => p.value)), value(12_345));
    assert.deepEqual(compare.body.series[1].points, []);
    // format=columnar (version 2): the same series as parallel, delta-coded arrays
    for (const query of [`keys=loss&points=400`, `keys=loss&fromStep=100&toStep=199&points=1000`]) {
      const v1 = await t.request('GET', `/api/runs/${run.id}/metrics?${query}`);
      const v2 = await t.request('GET', `/api/runs/${run.id}/metrics?${query}&format=columnar`);
      assert.equal(v2.body.format, 'columnar');
      assert.deepEqual(v2.body.series.map(columnarToSeries), v1.body.series);
    }
    const zoomV2 = await t.request('GET', `/api/metrics/compare?runIds=${run.id}&keys=loss,missing&fromStep=12000&toStep=12999&points=100&format=columnar`);
    assert.equal(zoomV2.body.series[0].steps[0], 12_000);
    assert.ok(zoomV2.body.series[0].steps.slice(1).every((d: number) => d > 0), 'steps after the first are positive deltas');
    assert.deepEqual(columnarToSeries(zoomV2.body.series[0]), z);
    assert.deepEqual(zoomV2.body.series[1], { runId: run.id, key: 'missing', total: 0, steps: [], values: [], times: [] });
    // keys left out: every series of the runs, in the order of runIds, then by key
    const other = await createRun(t, projectId);
    const wrote = await t.request('POST', `/api/runs/${other.id}/metrics`, { points: [{ key: 'b', step: 1, value: 2, time: T0 }, { key: 'a', step: 1, value: 1, time: T0 }] });
    assert.equal(wrote.status, 201, wrote.text);
    const everyKey = await t.request('GET', `/api/metrics/compare?runIds=${other.id},${run.id}&points=100&format=columnar`);
    assert.equal(everyKey.status, 200, everyKey.text);
    assert.deepEqual(everyKey.body.series.map((x: { runId: string; key: string }) => [x.runId, x.key]), [[other.id, 'a'], [other.id, 'b'], [run.id, 'loss']]);
    assert.deepEqual(columnarToSeries(everyKey.body.series[2]), compare.body.series[0]);
    const bad = await t.request('GET', `/api/metrics/compare?runIds=${run.id}&keys=loss&format=arrow`);
    assert.equal(bad.status, 400);
    assert.match(bad.text, /format/);
  });

  void it('exports long-format CSV and JSON lines', async () => {
    const run = await createRun(t, projectId);
    await t.request('POST', `/api/runs/${run.id}/metrics`, {
      points: [
        { key: 'loss', step: 1, value: 0.25, time: T0 },
        { key: 'eval,top1', step: 0, value: 1e-9, time: T0 + 1 },
      ],
    });
    const csv = await t.request('GET', `/api/runs/${run.id}/metrics/export?format=csv`);
    assert.equal(csv.status, 200);
    assert.deepEqual(csv.text.trimEnd().split('\n'), [
      'run,key,step,value,time',
      `${run.id},"eval,top1",0,1e-9,${new Date(T0 + 1).toISOString()}`,
      `${run.id},loss,1,0.25,${new Date(T0).toISOString()}`,
    ]);
    const jsonl = await t.request('GET', `/api/runs/${run.id}/metrics/export?format=jsonl&keys=loss`);
    assert.deepEqual(jsonl.text.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown), [
      { run: run.id, key: 'loss', step: 1, value: 0.25, time: new Date(T0).toISOString() },
    ]);
  });

  void it('rejects oversized and malformed batches with 4xx naming the field', async () => {
    const run = await createRun(t, projectId);
    const tooMany = Array.from({ length: 10_001 }, (_, step) => ({ key: 'k', step, value: 1, time: T0 }));
    const big = await t.request('POST', `/api/runs/${run.id}/metrics`, { points: tooMany });
    assert.equal(big.status, 413, big.text);
    const huge = await t.request('POST', `/api/runs/${run.id}/metrics`, `{"points":[${'{"key":"k","step":1,"value":1,"time":1},'.repeat(150_000)}{}]}`);
    assert.equal(huge.status, 413, 'body beyond the JSON limit');
    const cases: [unknown, string][] = [
      [{ points: [] }, 'points'],
      [{}, 'points'],
      [{ points: [{ key: 'k', step: -1, value: 1, time: T0 }] }, 'points.0.step'],
      [{ points: [{ key: 'k', step: 1, value: 'x', time: T0 }] }, 'points.0.value'],
      [{ points: [{ key: '', step: 1, value: 1, time: T0 }] }, 'points.0.key'],
      [{ points: [{ key: 'k', step: 1.5, value: 1, time: T0 }] }, 'points.0.step'],
      [{ points: [{ key: 'k', step: 1, value: 1, time: T0 }, { key: 'k', step: 2, value: 1 }] }, 'points.1.time'],
    ];
    for (const [body, field] of cases) {
      const res = await t.request('POST', `/api/runs/${run.id}/metrics`, body);
      assert.equal(res.status, 400, `${JSON.stringify(body)} → ${res.text}`);
      assert.ok(res.body.error.issues.some((i: { path: string }) => i.path === field), `${field}: ${res.text}`);
    }
    const badJson = await t.request('POST', `/api/runs/${run.id}/metrics`, '{"points": [');
    assert.equal(badJson.status, 400);
    assert.equal(badJson.body.error.code, 'bad_json');
    const q = await t.request('GET', `/api/runs/${run.id}/metrics?points=5`);
    assert.equal(q.status, 400);
    assert.ok(q.body.error.issues.some((i: { path: string }) => i.path === 'keys'));
    const qc = await t.request('GET', `/api/metrics/compare?runIds=nope&keys=a`);
    assert.equal(qc.status, 400);
    assert.ok(qc.body.error.issues.some((i: { path: string }) => i.path === 'runIds.0'));
    const missing = await t.request('POST', `/api/runs/00000000-0000-4000-8000-000000000000/metrics`, { points: [{ key: 'k', step: 1, value: 1, time: T0 }] });
    assert.equal(missing.status, 404);
  });
});
