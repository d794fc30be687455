/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call -- response bodies are untyped JSON here; the assertions check their shape */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DispatchService } from '../queue/dispatch.service';
import { createProject, createRun, jobRunToken, registerRunner, startTestApp, type TestApp } from '../testing/test-app';

/**
 * The metric logging frequency is set when a run or a sweep is created and travels in every pretrain job of the
 * run (a re-queued attempt too); the runner's child hands it to the trainer (runner real-trainer.test.ts checks
 * that a run stores exactly the steps it asks for).
 */
void describe('runs: logEvery', () => {
  let t: TestApp;
  let projectId: string;
  const jobData = async (runId: string, attempt = 1): Promise<Record<string, unknown>> => {
    const job = await t.app.get(DispatchService).pretrain.getJob(`${runId}.${attempt}`);
    assert.ok(job, `job ${runId}.${attempt}`);
    return job.data as Record<string, unknown>;
  };

  before(async () => {
    t = await startTestApp();
    projectId = await createProject(t);
  });
  after(async () => {
    await t.close();
  });

  void it('is carried in the pretrain job, also after a preemption re-queues the run', async () => {
    const run = await createRun(t, projectId, { logEvery: { steps: 4, seconds: 600 } });
    assert.deepEqual((await jobData(run.id)).logEvery, { steps: 4, seconds: 600 });
    const runnerId = await registerRunner(t);
    const token = await jobRunToken(t, run.id);
    const start = { runnerId, attempt: 1, backend: 'cpu', threads: 1, device: 'cpu' };
    assert.equal((await t.request('POST', `/api/runs/${run.id}/start`, start, token)).status, 200);
    assert.equal((await t.request('POST', `/api/runs/${run.id}/finish`, { status: 'preempted' }, token)).status, 200);
    assert.deepEqual((await jobData(run.id, 2)).logEvery, { steps: 4, seconds: 600 });
  });

  void it("defaults to the CLI's every 10 steps / 30 s; a bad value is a 400 naming the field", async () => {
    const run = await createRun(t, projectId);
    assert.deepEqual((await jobData(run.id)).logEvery, { steps: 10, seconds: 30 });
    for (const [logEvery, field] of [
      [{ steps: -1 }, 'logEvery.steps'],
      [{ steps: 2.5 }, 'logEvery.steps'],
      [{ seconds: 86_401 }, 'logEvery.seconds'],
    ] as const) {
      const res = await t.request('POST', '/api/runs', { projectId, method: 'VICReg', logEvery });
      assert.equal(res.status, 400, res.text);
      assert.ok(res.body.error.issues.some((i: { path: string }) => i.path === field), `${field}: ${res.text}`);
    }
  });

  void it('a sweep gives its logEvery to every run', async () => {
    const res = await t.request('POST', '/api/sweeps', {
      projectId,
      name: 'log-every',
      method: 'VICReg',
      baseConfig: { epochs: 1 },
      searchSpace: { base_lr: { distribution: 'choice', values: [0.1, 0.01] } },
      maxConcurrency: 2,
      logEvery: { steps: 2, seconds: 0 },
    });
    assert.equal(res.status, 201, res.text);
    const runs = res.body.runs as { id: string }[];
    assert.equal(runs.length, 2);
    for (const run of runs) assert.deepEqual((await jobData(run.id)).logEvery, { steps: 2, seconds: 0 });
  });
});
