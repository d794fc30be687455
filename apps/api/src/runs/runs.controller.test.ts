/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call -- response bodies are untyped JSON here; the assertions check their shape */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CANCEL_CHANNEL } from '@equilab/contracts';
import IORedis from 'ioredis';
import { DispatchService } from '../queue/dispatch.service';
import { createProject, createRun, jobRunToken, registerRunner, startTestApp, type TestApp } from '../testing/test-app';

const start = (runnerId: string, attempt = 1) => ({ runnerId, attempt, backend: 'wasm', threads: 2, device: 'cpu' });
const progress = { step: 10, totalSteps: 100, epoch: 1, totalEpochs: 10, imagesPerSecond: 12.5, etaSeconds: 72 };

void describe('runs', () => {
  let t: TestApp;
  let projectId: string;
  let runnerId: string;

  before(async () => {
    t = await startTestApp();
    projectId = await createProject(t);
    runnerId = await registerRunner(t);
  });
  after(async () => {
    await t.close();
  });

  void it('creates a run, enqueues its job with a run token, and walks the lifecycle', async () => {
    const run = await createRun(t, projectId, { name: 'lifecycle', seed: 3 });
    assert.equal(run.status, 'queued');
    const job = await t.app.get(DispatchService).pretrain.getJob(`${run.id}.1`);
    assert.ok(job, 'job enqueued with jobId <runId>.<attempt>');
    assert.equal(job.data.runId, run.id);
    assert.equal(job.data.seed, 3);
    assert.equal(job.opts.attempts, 5);
    const token = await jobRunToken(t, run.id);

    let res = await t.request('POST', `/api/runs/${run.id}/progress`, progress, token);
    assert.equal(res.status, 409, 'progress before start is an illegal transition');
    res = await t.request('POST', `/api/runs/${run.id}/start`, start(runnerId), token);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.status, 'running');
    res = await t.request('POST', `/api/runs/${run.id}/progress`, progress, token);
    assert.equal(res.status, 200, res.text);
    res = await t.request('POST', `/api/runs/${run.id}/artifacts`, { kind: 'checkpoint', path: `runs/${run.id}/ckpt-10`, size: 1234, sha256: 'a'.repeat(64), step: 10 }, token);
    assert.equal(res.status, 201, res.text);
    res = await t.request('GET', `/api/runs/${run.id}`);
    assert.equal(res.body.status, 'running');
    assert.equal(res.body.step, 10);
    assert.equal(res.body.runnerId, runnerId);
    assert.equal(res.body.threads, 2);
    res = await t.request('POST', `/api/runs/${run.id}/finish`, { status: 'succeeded' }, token);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.status, 'succeeded');
    // finished runs cannot start, progress or be canceled
    assert.equal((await t.request('POST', `/api/runs/${run.id}/start`, start(runnerId), token)).status, 409);
    assert.equal((await t.request('POST', `/api/runs/${run.id}/progress`, progress, token)).status, 409);
    assert.equal((await t.request('POST', `/api/runs/${run.id}/cancel`)).status, 409);
    assert.equal((await t.request('POST', `/api/runs/${run.id}/retry`)).status, 409);
    assert.equal((await t.request('POST', `/api/runs/${run.id}/finish`, { status: 'failed' }, token)).status, 409);
    res = await t.request('GET', `/api/runs/${run.id}/artifacts`);
    assert.equal(res.body.items.length, 1);
    assert.equal(res.body.items[0].size, 1234);
  });

  void it('preemption re-queues the run as a new attempt with a new job', async () => {
    const run = await createRun(t, projectId);
    const token = await jobRunToken(t, run.id);
    assert.equal((await t.request('POST', `/api/runs/${run.id}/start`, start(runnerId), token)).status, 200);
    const res = await t.request('POST', `/api/runs/${run.id}/finish`, { status: 'preempted' }, token);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.status, 'queued');
    const detail = await t.request('GET', `/api/runs/${run.id}`);
    assert.equal(detail.body.status, 'queued');
    assert.equal(detail.body.attempt, 2);
    const token2 = await jobRunToken(t, run.id, 2);
    assert.equal((await t.request('POST', `/api/runs/${run.id}/start`, start(runnerId, 2), token2)).status, 200);
  });

  void it('cancel removes a waiting job, publishes, and blocks start; retry makes a new attempt', async () => {
    const run = await createRun(t, projectId);
    const token = await jobRunToken(t, run.id);
    const subscriber = new IORedis(t.env.REDIS_URL);
    await subscriber.subscribe(CANCEL_CHANNEL);
    const message = new Promise<string>((resolve) => subscriber.on('message', (_channel: string, m: string) => resolve(m)));
    let res = await t.request('POST', `/api/runs/${run.id}/cancel`);
    assert.deepEqual(JSON.parse(await message), { runId: run.id });
    await subscriber.quit();
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.status, 'canceled');
    assert.equal(await t.app.get(DispatchService).pretrain.getJob(`${run.id}.1`), undefined);
    assert.equal((await t.request('POST', `/api/runs/${run.id}/start`, start(runnerId), token)).status, 409);
    assert.equal((await t.request('POST', `/api/runs/${run.id}/cancel`)).status, 409);
    res = await t.request('POST', `/api/runs/${run.id}/retry`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.status, 'queued');
    assert.equal(res.body.attempt, 2);
    assert.ok(await t.app.get(DispatchService).pretrain.getJob(`${run.id}.2`));
  });

  void it('lists with filters, sort and cursor pagination', async () => {
    const p = await createProject(t, 'listing');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await createRun(t, p, { name: `r${i}` })).id);
    await t.request('POST', `/api/runs/${ids[0]}/cancel`);
    let res = await t.request('GET', `/api/runs?projectId=${p}&sort=name&limit=2`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.items.map((r: { name: string }) => r.name), ['r0', 'r1']);
    const seen = [...res.body.items.map((r: { name: string }) => r.name)];
    while (res.body.nextCursor) {
      res = await t.request('GET', `/api/runs?projectId=${p}&sort=name&limit=2&cursor=${res.body.nextCursor}`);
      seen.push(...res.body.items.map((r: { name: string }) => r.name));
    }
    assert.deepEqual(seen, ['r0', 'r1', 'r2', 'r3', 'r4']);
    res = await t.request('GET', `/api/runs?projectId=${p}&status=canceled`);
    assert.deepEqual(res.body.items.map((r: { id: string }) => r.id), [ids[0]]);
    res = await t.request('GET', `/api/runs?projectId=${p}&status=queued,canceled&sort=-createdAt`);
    assert.equal(res.body.items.length, 5);
    res = await t.request('GET', `/api/projects/${p}`);
    assert.deepEqual(res.body.runCounts, { queued: 4, canceled: 1 });
  });

  void it('deletes a run with its metrics', async () => {
    const run = await createRun(t, projectId);
    await t.request('POST', `/api/runs/${run.id}/metrics`, { points: [{ key: 'loss', step: 0, value: 1, time: 0 }] });
    assert.equal((await t.request('DELETE', `/api/runs/${run.id}`)).status, 200);
    assert.equal((await t.request('GET', `/api/runs/${run.id}`)).status, 404);
    assert.equal((await t.request('GET', `/api/runs/${run.id}/metrics/summary`)).status, 404);
  });

  void it('answers bad input with 4xx naming the field, never 5xx', async () => {
    const cases: [string, string, unknown, number, string | null][] = [
      ['POST', '/api/runs', { projectId: 'nope', method: 'VICReg' }, 400, 'projectId'],
      ['POST', '/api/runs', { projectId, method: 'VICReg', seed: -1 }, 400, 'seed'],
      ['POST', '/api/runs', { projectId, method: 'VICReg', config: [] }, 400, 'config'],
      ['POST', '/api/runs', { projectId, method: 'VICReg', backend: 'gpu9000' }, 400, 'backend'],
      ['POST', '/api/runs', { projectId: '00000000-0000-4000-8000-000000000000', method: 'VICReg' }, 404, null],
      ['POST', '/api/runs', '{"projectId": ', 400, null],
      ['POST', '/api/runs', '[1,2,3]', 400, null],
      ['GET', '/api/runs/not-a-uuid', undefined, 400, 'id'],
      ['GET', '/api/runs/00000000-0000-4000-8000-000000000000', undefined, 404, null],
      ['GET', '/api/runs?limit=0', undefined, 400, 'limit'],
      ['GET', '/api/runs?status=bogus', undefined, 400, 'status.0'],
      ['GET', '/api/runs?sort=size', undefined, 400, 'sort'],
      ['GET', '/api/runs?cursor=abc', undefined, 400, 'cursor'],
      ['POST', '/api/projects', { name: '' }, 400, 'name'],
      ['POST', '/api/projects', { name: 5 }, 400, 'name'],
      ['GET', '/api/no-such-route', undefined, 404, null],
      ['POST', '/api/runners', { name: 'x', hostname: 'h', devices: 0, device: 'cpu', backend: 'wasm' }, 400, 'devices'],
      ['POST', `/api/runners/${runnerId}/heartbeat`, { activeRunIds: ['x'] }, 400, 'activeRunIds.0'],
      ['POST', '/api/runners/00000000-0000-4000-8000-000000000000/heartbeat', { activeRunIds: [] }, 404, null],
    ];
    for (const [method, path, body, status, field] of cases) {
      // The runner-protocol routes take the runner token (user tokens are refused there).
      const res = await t.request(method, path, body, path.startsWith('/api/runners') ? t.runnerToken : undefined);
      assert.equal(res.status, status, `${method} ${path} ${JSON.stringify(body)} → ${res.status} ${res.text}`);
      assert.ok(res.body?.error?.code, `error body for ${method} ${path}`);
      if (field) assert.ok(res.body.error.issues.some((i: { path: string }) => i.path === field), `${path}: ${res.text}`);
    }
    const run = await createRun(t, projectId);
    const token = await jobRunToken(t, run.id);
    const bad = await t.request('POST', `/api/runs/${run.id}/start`, { runnerId, attempt: 0, backend: 'wasm', threads: null, device: 'cpu' }, token);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.issues[0].path, 'attempt');
    const unknownRunner = await t.request('POST', `/api/runs/${run.id}/start`, start('00000000-0000-4000-8000-000000000000'), token);
    assert.equal(unknownRunner.status, 400);
    assert.equal(unknownRunner.body.error.issues[0].path, 'runnerId');
    const finishBad = await t.request('POST', `/api/runs/${run.id}/finish`, { status: 'exploded' }, token);
    assert.equal(finishBad.status, 400);
    assert.equal(finishBad.body.error.issues[0].path, 'status');
  });

  void it('runner heartbeat reports canceled active runs', async () => {
    const a = await createRun(t, projectId);
    const b = await createRun(t, projectId);
    await t.request('POST', `/api/runs/${a.id}/start`, start(runnerId), await jobRunToken(t, a.id));
    await t.request('POST', `/api/runs/${b.id}/start`, start(runnerId), await jobRunToken(t, b.id));
    await t.request('POST', `/api/runs/${b.id}/cancel`);
    // A succeeded run is wrapping up (its evaluations may run under its id): it is not stopped.
    const c = await createRun(t, projectId);
    const tokenC = await jobRunToken(t, c.id);
    await t.request('POST', `/api/runs/${c.id}/start`, start(runnerId), tokenC);
    await t.request('POST', `/api/runs/${c.id}/finish`, { status: 'succeeded' }, tokenC);
    const res = await t.request('POST', `/api/runners/${runnerId}/heartbeat`, { activeRunIds: [a.id, b.id, c.id] }, t.runnerToken);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.cancelRunIds, [b.id]);
    const queue = await t.request('GET', '/api/queue');
    assert.equal(queue.status, 200);
    const runner = queue.body.runners.find((r: { id: string }) => r.id === runnerId);
    assert.equal(runner.status, 'online');
    assert.deepEqual(runner.activeRunIds, [a.id, b.id, c.id]);
    assert.ok(queue.body.queues.some((q: { name: string }) => q.name === 'pretrain'));
  });
});
