import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Worker } from 'bullmq';
import { LiveService } from '../live/live.service';
import { bullConnection } from '../redis/redis.service';
import { createProject, createRun, startTestApp, type TestApp } from '../testing/test-app';
import { JobFailuresListener } from './job-failures.listener';
import { PRETRAIN_QUEUE } from './queue-names';

void describe('final job failures', () => {
  let t: TestApp;
  const prefix = `equilab-test-${randomBytes(4).toString('hex')}`;

  before(async () => {
    t = await startTestApp({ QUEUE_PREFIX: prefix });
    await t.app.get(JobFailuresListener).waitUntilReady();
  });
  after(async () => {
    await t.close();
  });

  void it('a job BullMQ gives up on fails its run', async () => {
    const projectId = await createProject(t, 'failures');
    const run = await createRun(t, projectId);
    const live = t.app.get(LiveService);
    const failed = new Promise<void>((resolve) => {
      const original = live.run.bind(live);
      live.run = (r) => {
        original(r);
        if (r.id === run.id && r.status === 'failed') resolve();
      };
    });
    const worker = new Worker(
      PRETRAIN_QUEUE,
      (job) => {
        job.discard(); // no retries: this failure is final
        return Promise.reject(new Error('runner exploded'));
      },
      { connection: bullConnection(t.env.REDIS_URL), prefix },
    );
    try {
      await failed;
    } finally {
      await worker.close();
    }
    const res = await t.request('GET', `/api/runs/${run.id}`);
    assert.equal((res.body as { status: string }).status, 'failed');
    assert.match((res.body as { error: string }).error, /runner exploded/);
  });
});
