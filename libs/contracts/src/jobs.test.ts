import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRunSchema, parentToChildMessageSchema, pretrainJobSchema } from './index';

const base = {
  runId: '6c1f7e2e-1111-4111-8111-111111111111',
  projectId: '6c1f7e2e-2222-4222-8222-222222222222',
  dataRoot: '/data',
  seed: 0,
};

void test('a pretrain job carries the logging frequency; jobs queued without one get the CLI defaults', () => {
  const job = pretrainJobSchema.parse({ ...base, method: 'VICReg', config: {}, logEvery: { steps: 4, seconds: 600 } });
  assert.deepEqual(job.logEvery, { steps: 4, seconds: 600 });
  assert.deepEqual(pretrainJobSchema.parse({ ...base, method: 'VICReg', config: {} }).logEvery, { steps: 10, seconds: 30 });
  // The method config is parsed with the method's own schema: typed, defaults applied.
  assert.equal(job.method === 'VICReg' && job.config.batch_size, 32);
});

void test('job payloads carry no credential: a runToken queued by an older API is dropped when parsed', () => {
  const job = pretrainJobSchema.parse({ ...base, runToken: 'eqk_secret', method: 'VICReg', config: {} });
  assert.equal(Object.hasOwn(job, 'runToken'), false);
});

void test('logging frequency is not a config key (the strict method schema rejects it) and is bounded', () => {
  const inConfig = pretrainJobSchema.safeParse({ ...base, method: 'SIE', config: { metricsEvery: 5 } });
  assert.equal(inConfig.success, false);
  assert.deepEqual(inConfig.error?.issues.map((i) => i.path.join('.')), ['config']);
  for (const logEvery of [{ steps: -1 }, { steps: 1.5 }, { seconds: -1 }, { seconds: 86_401 }, { steps: 1, every: 2 }]) {
    const r = createRunSchema.safeParse({ projectId: base.projectId, method: 'SIE', logEvery });
    assert.equal(r.success, false, JSON.stringify(logEvery));
    assert.equal(r.error?.issues[0]?.path[0], 'logEvery');
  }
  assert.deepEqual(createRunSchema.parse({ projectId: base.projectId, method: 'SIE' }).logEvery, { steps: 10, seconds: 30 });
});

void test('the training child reads the job from its start message, discriminated by task and method', () => {
  const start = parentToChildMessageSchema.parse({
    type: 'start',
    task: 'pretrain',
    outDir: '/work',
    resume: false,
    backend: 'cpu',
    workers: 0,
    job: { ...base, method: 'SIE', config: { width: 0.0625, equi: 16 }, logEvery: { steps: 1 } },
  });
  assert.ok(start.type === 'start' && start.task === 'pretrain' && start.job.method === 'SIE');
  assert.equal(start.job.config.equi, 16);
  assert.deepEqual(start.job.logEvery, { steps: 1, seconds: 30 });
  const unknownMethod = parentToChildMessageSchema.safeParse({ ...start, job: { ...start.job, method: 'stub' } });
  assert.equal(unknownMethod.success, false);
});
