/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call -- response bodies are untyped JSON here; the assertions check their shape */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DispatchService } from '../queue/dispatch.service';
import { createProject, jobRunToken, registerRunner, startTestApp, type TestApp } from '../testing/test-app';

const start = (runnerId: string) => ({ runnerId, attempt: 1, backend: 'wasm', threads: 1, device: 'cpu' });

void describe('sweeps', () => {
  let t: TestApp;
  let projectId: string;
  let runnerId: string;

  before(async () => {
    t = await startTestApp();
    projectId = await createProject(t, 'sweeps');
    runnerId = await registerRunner(t);
  });
  after(async () => {
    await t.close();
  });

  const hasJob = async (runId: string) => Boolean(await t.app.get(DispatchService).pretrain.getJob(`${runId}.1`));

  void it('dry run expands grid and seeded random sweeps without creating anything', async () => {
    const grid = await t.request('POST', '/api/sweeps', {
      projectId,
      name: 'dry',
      method: 'VICReg',
      baseConfig: { epochs: 2 },
      searchSpace: { base_lr: { distribution: 'choice', values: [0.1, 0.01] }, sim_coeff: { distribution: 'choice', values: [5, 10, 25] } },
      dryRun: true,
    });
    assert.equal(grid.status, 200, grid.text);
    assert.equal(grid.body.runs.length, 6);
    assert.deepEqual(grid.body.runs[4].params, { base_lr: 0.01, sim_coeff: 10 });
    assert.equal(grid.body.runs[4].config.base_lr, 0.01);
    assert.equal(grid.body.runs[4].config.epochs, 2);
    const random = (seed: number) =>
      t.request('POST', '/api/sweeps', {
        projectId,
        name: 'dry',
        method: 'VICReg',
        strategy: 'random',
        seed,
        count: 4,
        searchSpace: { base_lr: { distribution: 'log-uniform', min: 1e-4, max: 1e-1 } },
        dryRun: true,
      });
    const a = await random(1);
    const b = await random(1);
    const c = await random(2);
    assert.deepEqual(a.body.runs, b.body.runs);
    assert.notDeepEqual(a.body.runs, c.body.runs);
    const list = await t.request('GET', `/api/sweeps?projectId=${projectId}`);
    assert.deepEqual(list.body.items, []);
  });

  void it('keeps the seed fixed unless the space varies it; replicates run each configuration with seeds seed … seed+N−1 in one group', async () => {
    const body = {
      projectId,
      name: 'seeds',
      method: 'VICReg',
      baseConfig: { epochs: 1, seed: 0 },
      searchSpace: { base_lr: { distribution: 'choice', values: [0.1, 0.01] } },
      maxConcurrency: 1,
    };
    const dry = await t.request('POST', '/api/sweeps', { ...body, dryRun: true });
    assert.equal(dry.status, 200, dry.text);
    assert.deepEqual(dry.body.runs.map((r: { seed: number; config: { seed: number } }) => [r.seed, r.config.seed]), [[0, 0], [0, 0]]);
    const created = await t.request('POST', '/api/sweeps', body);
    assert.equal(created.status, 201, created.text);
    assert.deepEqual(created.body.runs.map((r: { seed: number; config: { seed: number } }) => [r.seed, r.config.seed]), [[0, 0], [0, 0]], 'stored runs agree with the dry run');
    assert.equal(created.body.replicates, 1);
    assert.notEqual(created.body.runs[0].groupKey, created.body.runs[1].groupKey, 'different configurations, different groups');

    const replicated = await t.request('POST', '/api/sweeps', { ...body, name: 'replicates', baseConfig: { epochs: 1, seed: 5 }, replicates: 3 });
    assert.equal(replicated.status, 201, replicated.text);
    const runs = replicated.body.runs as { name: string; seed: number; groupKey: string; sweepConfig: number; replicate: number; config: { seed: number; base_lr: number } }[];
    assert.deepEqual(runs.map((r) => [r.name, r.sweepConfig, r.replicate, r.seed, r.config.seed]), [
      ['replicates-0.0', 0, 0, 5, 5],
      ['replicates-0.1', 0, 1, 6, 6],
      ['replicates-0.2', 0, 2, 7, 7],
      ['replicates-1.0', 1, 0, 5, 5],
      ['replicates-1.1', 1, 1, 6, 6],
      ['replicates-1.2', 1, 2, 7, 7],
    ]);
    assert.equal(new Set(runs.slice(0, 3).map((r) => r.groupKey)).size, 1, 'the replicates of a configuration share its group');
    assert.notEqual(runs[0]!.groupKey, runs[3]!.groupKey);
    assert.equal(runs[0]!.groupKey, created.body.runs[0].groupKey, 'the group is the configuration, whichever sweep made it');
    assert.equal(replicated.body.replicates, 3);
    const tooMany = await t.request('POST', '/api/sweeps', { ...body, replicates: 33, dryRun: true });
    assert.equal(tooMany.status, 400);
    assert.match(tooMany.text, /replicates/);
  });

  void it('varies the method with per-method overrides and hands the evaluation suite to every run', async () => {
    const res = await t.request('POST', '/api/sweeps', {
      projectId,
      name: 'methods',
      method: 'SIE',
      baseConfig: { width: 0.25, epochs: 1 },
      methodConfig: { SIE: { equi: 64 } },
      searchSpace: { method: { distribution: 'choice', values: ['SIE', 'VICReg'] } },
      evaluations: { kinds: ['rotation', 'retrieval'], config: { epochs: 2 } },
      maxConcurrency: 1,
    });
    assert.equal(res.status, 201, res.text);
    const runs = [...res.body.runs].sort((a: { sweepIndex?: number; name: string }, b: { name: string }) => a.name.localeCompare(b.name));
    assert.deepEqual(runs.map((r: { method: string }) => r.method), ['SIE', 'VICReg']);
    assert.equal(runs[0].config.equi, 64);
    assert.ok(!('equi' in runs[1].config), 'VICReg gets no SIE option');
    for (const run of runs) assert.deepEqual(run.evaluations, { kinds: ['rotation', 'retrieval'], config: { epochs: 2 } });
    const bad = await t.request('POST', '/api/sweeps', {
      projectId,
      name: 'bad override',
      method: 'SIE',
      baseConfig: { width: 0.25 },
      methodConfig: { SIE: { equi: 999 } },
      searchSpace: { method: { distribution: 'choice', values: ['SIE', 'VICReg'] } },
      dryRun: true,
    });
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.body.error.issues[0].path, 'methodConfig.SIE.equi');
    await t.request('POST', `/api/sweeps/${res.body.id}/cancel`);
  });

  void it('honours maxConcurrency, refills a slot when a run finishes, maps priority, and cancels', async () => {
    const res = await t.request('POST', '/api/sweeps', {
      projectId,
      name: 'gated',
      method: 'VICReg',
      searchSpace: { sim_coeff: { distribution: 'choice', values: [1, 2, 3, 4, 5] } },
      maxConcurrency: 2,
      priority: 900,
    });
    assert.equal(res.status, 201, res.text);
    const runs: { id: string; status: string }[] = res.body.runs;
    assert.equal(runs.length, 5);
    assert.ok(runs.every((r) => r.status === 'queued'));
    assert.deepEqual(await Promise.all(runs.map((r) => hasJob(r.id))), [true, true, false, false, false]);
    const job = await t.app.get(DispatchService).pretrain.getJob(`${runs[0]!.id}.1`);
    assert.equal(job?.opts.priority, 101);

    const token0 = await jobRunToken(t, runs[0]!.id);
    assert.equal((await t.request('POST', `/api/runs/${runs[0]!.id}/start`, start(runnerId), token0)).status, 200);
    assert.deepEqual(await Promise.all(runs.map((r) => hasJob(r.id))), [true, true, false, false, false], 'running still holds its slot');
    assert.equal((await t.request('POST', `/api/runs/${runs[0]!.id}/finish`, { status: 'succeeded' }, token0)).status, 200);
    assert.equal(await hasJob(runs[2]!.id), true, 'a finished run frees its slot for the next');
    assert.equal(await hasJob(runs[3]!.id), false);

    const token1 = await jobRunToken(t, runs[1]!.id);
    assert.equal((await t.request('POST', `/api/runs/${runs[1]!.id}/start`, start(runnerId), token1)).status, 200);
    const cancel = await t.request('POST', `/api/sweeps/${res.body.id}/cancel`);
    assert.equal(cancel.status, 200, cancel.text);
    assert.equal(cancel.body.status, 'canceled');
    assert.deepEqual(cancel.body.runs.map((r: { status: string }) => r.status), ['succeeded', 'canceled', 'canceled', 'canceled', 'canceled']);
    assert.equal(await hasJob(runs[2]!.id), false, 'waiting job removed');
    assert.equal((await t.request('POST', `/api/sweeps/${res.body.id}/cancel`)).status, 409);
    // the running run's runner learns of the cancel and confirms
    // The runner's confirmation: its run token ended with the cancel (409, which the runner reads as settled).
    assert.equal((await t.request('POST', `/api/runs/${runs[1]!.id}/finish`, { status: 'canceled' }, token1)).status, 409);
    const got = await t.request('GET', `/api/sweeps/${res.body.id}`);
    assert.deepEqual(got.body.runCounts, { succeeded: 1, canceled: 4 });
  });

  void it('completes when every run has finished', async () => {
    const res = await t.request('POST', '/api/sweeps', {
      projectId,
      name: 'complete',
      method: 'VICReg',
      searchSpace: { sim_coeff: { distribution: 'choice', values: [1, 2] } },
      maxConcurrency: 1,
    });
    for (const run of res.body.runs as { id: string }[]) {
      const token = await jobRunToken(t, run.id);
      assert.equal((await t.request('POST', `/api/runs/${run.id}/start`, start(runnerId), token)).status, 200);
      assert.equal((await t.request('POST', `/api/runs/${run.id}/finish`, { status: 'failed', error: 'boom' }, token)).status, 200);
    }
    const got = await t.request('GET', `/api/sweeps/${res.body.id}`);
    assert.equal(got.body.status, 'completed');
    assert.equal(got.body.runs[0].error, 'boom');
    const exported = await t.request('GET', `/api/sweeps/${res.body.id}/metrics/export`);
    assert.equal(exported.text, 'run,key,step,value,time\n');
  });

  void it('rejects bad sweeps naming the field', async () => {
    const base = { projectId, name: 'bad', method: 'VICReg' };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, searchSpace: { base_lr: { distribution: 'uniform', min: 0, max: 1 } } }, 'searchSpace.base_lr.distribution'],
      [{ ...base, strategy: 'random', searchSpace: { base_lr: { distribution: 'uniform', min: 0, max: 1 } } }, 'count'],
      [{ ...base, strategy: 'random', count: 2, searchSpace: { base_lr: { distribution: 'uniform', min: 1, max: 0 } } }, 'searchSpace.base_lr.max'],
      [{ ...base, searchSpace: { base_lr: { distribution: 'normal' } } }, 'searchSpace.base_lr.distribution'],
      [{ ...base, searchSpace: { 'bad path!': { distribution: 'choice', values: [1] } } }, 'searchSpace.bad path!'],
      [{ ...base, searchSpace: { base_lr: { distribution: 'choice', values: ['fast'] } } }, 'searchSpace.base_lr'],
      [{ ...base, baseConfig: { epochs: -3 }, searchSpace: { base_lr: { distribution: 'choice', values: [0.1] } } }, 'baseConfig.epochs'],
      [{ ...base, method: 'NoSuchMethod', searchSpace: { base_lr: { distribution: 'choice', values: [0.1] } } }, 'method'],
      [{ ...base, maxConcurrency: 0, searchSpace: { base_lr: { distribution: 'choice', values: [0.1] } } }, 'maxConcurrency'],
      [{ ...base, searchSpace: {} }, 'searchSpace'],
    ];
    for (const [body, field] of cases) {
      const res = await t.request('POST', '/api/sweeps', body);
      assert.equal(res.status, 400, `${JSON.stringify(body)} → ${res.text}`);
      assert.ok(res.body.error.issues.some((i: { path: string }) => i.path === field), `${field}: ${res.text}`);
    }
    assert.equal((await t.request('GET', '/api/sweeps/00000000-0000-4000-8000-000000000000')).status, 404);
  });

  void it('answers prototype keys, prototype method names and deep nesting with 400 naming the field, and stays usable', async () => {
    const dry = { projectId, name: 'hostile', method: 'VICReg', dryRun: true };
    const lr = { base_lr: { distribution: 'choice', values: [0.1] } };
    const field = async (body: unknown, expected: string, route = '/api/sweeps') => {
      const res = await t.request('POST', route, body);
      assert.equal(res.status, 400, `${expected}: ${res.text}`);
      assert.ok(res.body.error.issues.some((i: { path: string }) => i.path === expected), `${expected}: ${res.text}`);
    };
    for (const path of ['__proto__.polluted', 'a.constructor.prototype.polluted', 'prototype']) {
      await field({ ...dry, searchSpace: { [path]: { distribution: 'choice', values: [1] } } }, `searchSpace.${path}`);
    }
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined, 'Object.prototype untouched');
    for (const name of ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty']) {
      await field({ ...dry, method: name, searchSpace: lr }, 'method');
      await field({ ...dry, searchSpace: { method: { distribution: 'choice', values: [name] } } }, 'searchSpace.method');
      await field({ projectId, method: name }, 'method', '/api/runs');
    }
    await field({ ...dry, methodConfig: { constructor: { equi: 1 } }, searchSpace: { method: { distribution: 'choice', values: ['constructor'] } } }, 'searchSpace.method');
    const deep = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    for (const key of ['baseConfig', 'methodConfig', 'searchSpace']) {
      await field(`{"projectId":"${projectId}","name":"deep","method":"VICReg","dryRun":true,"${key}":${deep}}`, key);
    }
    const fine = await t.request('POST', '/api/sweeps', { ...dry, searchSpace: lr });
    assert.equal(fine.status, 200, fine.text);
    assert.equal(fine.body.runs.length, 1);
  });
});
