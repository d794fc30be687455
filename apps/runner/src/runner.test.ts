import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CANCEL_CHANNEL, parseMethodRun, parsePrometheusText, promSamples, systemMetricKeys, type PretrainJob } from '@equilab/contracts';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { FakeApiServer, waitFor, type RecordedCall } from './testing/fake-api.server';
import { startRunnerProcess, type RunnerProcess } from './testing/runner-process';
import { STUB_DATASET_FILE, type StubDataset } from './testing/stub.trainer';

/**
 * The runner end to end against real Redis/BullMQ, real runner processes (`node dist/main.js`) with real
 * training children, a stand-in trainer (testing/stub.trainer.ts) and an in-test HTTP server speaking the
 * runner ⇄ API protocol. Series are checked for gaps and for resumption at the checkpointed step.
 */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

void describe('runner', { timeout: 240_000 }, () => {
  const api = new FakeApiServer();
  const prefix = `test-runner-${randomUUID()}`;
  const root = mkdtempSync(join(tmpdir(), 'equilab-runner-'));
  const artifactDir = join(root, 'artifacts');
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queueConnection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('pretrain', { connection: queueConnection, prefix });
  const evaluateQueue = new Queue('evaluate', { connection: queueConnection, prefix });
  const runners: RunnerProcess[] = [];
  let apiUrl = '';

  before(async () => {
    apiUrl = await api.start();
  });
  after(async () => {
    for (const runner of runners)
      if (runner.process.exitCode === null && runner.process.signalCode === null)
        runner.process.kill('SIGKILL');
    await Promise.all(runners.map((runner) => runner.exited));
    await queue.obliterate({ force: true }).catch(() => undefined);
    await evaluateQueue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await evaluateQueue.close();
    await queueConnection.quit();
    await redis.quit();
    await api.close();
    rmSync(root, { recursive: true, force: true });
  });

  const startRunner = async (name: string, env: Record<string, string> = {}): Promise<RunnerProcess> => {
    const runner = startRunnerProcess({
      REDIS_URL,
      API_URL: apiUrl,
      API_TOKEN: 'runner-token',
      QUEUE_PREFIX: prefix,
      RUNNER_QUEUES: 'pretrain,evaluate',
      RUNNER_NAME: name,
      ARTIFACT_DIR: artifactDir,
      WORK_DIR: join(root, name, 'work'),
      SPILL_DIR: join(root, name, 'spill'),
      RUNNER_CHILD_ENTRY: join(__dirname, 'testing', 'stub-child.main.js'),
      RUNNER_LOCK_DURATION_MS: '2000',
      RUNNER_STALLED_INTERVAL_MS: '500',
      RUNNER_HEARTBEAT_MS: '200',
      METRICS_FLUSH_MS: '50',
      ...env,
    });
    runners.push(runner);
    await runner.ready();
    return runner;
  };

  /** A pretrain job of `epochs` epochs on a stand-in dataset of `stepsPerEpoch` steps of `stepMs` each. */
  const payload = (runId: string, epochs: number, dataset: StubDataset): PretrainJob => {
    const dataRoot = join(root, 'data', runId);
    mkdirSync(dataRoot, { recursive: true });
    writeFileSync(join(dataRoot, STUB_DATASET_FILE), JSON.stringify(dataset));
    return {
      runId,
      projectId: randomUUID(),
      ...parseMethodRun('VICReg', { epochs }),
      logEvery: { steps: 10, seconds: 30 },
      dataRoot,
      backend: 'wasm',
      seed: 0,
    };
  };
  const addJob = (data: unknown, jobId: string) =>
    queue.add('pretrain', data, { jobId, attempts: 5, backoff: { type: 'exponential', delay: 200 } });
  const jobState = async (jobId: string) => (await queue.getJob(jobId))?.getState();

  /** Every step 0..total-1 of `loss` stored exactly once, each with the value the trainer computes. */
  const assertCompleteSeries = (runId: string, total: number): void => {
    assert.deepEqual(
      api.steps(runId),
      Array.from({ length: total }, (_, i) => i),
    );
    const points = [...api.metrics.get(runId)!.values()];
    for (const point of points.filter((p) => p.key === 'loss')) assert.equal(point.value, 1 / (point.step + 1));
    // The child's process readings came with the run's metrics (system/*; GPU ones only where nvidia-smi answers).
    const system = new Set(points.filter((p) => p.key.startsWith('system/')).map((p) => p.key));
    for (const key of [systemMetricKeys.cpuPercent, systemMetricKeys.rssMb]) assert.ok(system.has(key), key);
    assert.deepEqual(new Set(points.map((p) => p.key)), new Set(['loss', ...system]), 'no other series');
  };
  /** Steps of the checkpoints the API recorded for the run (refused records excluded), in order. */
  const checkpoints = (runId: string) =>
    (api.artifacts.get(runId) ?? [])
      .filter((record) => record.kind === 'checkpoint')
      .map((record) => record.step as number);

  let runnerA: RunnerProcess;

  void it('fails a job with a bad payload clearly (no retry), then trains a valid one and records the device', async () => {
    runnerA = await startRunner('a');
    await addJob({ runId: 'not-a-uuid', method: 'VICReg' }, 'bad-1');
    await waitFor('the bad job to fail', async () => (await jobState('bad-1')) === 'failed');
    const bad = (await queue.getJob('bad-1'))!;
    assert.match(bad.failedReason, /^invalid pretrain job payload: /);
    assert.match(bad.failedReason, /runId: Invalid UUID/);
    assert.match(bad.failedReason, /dataRoot: /);
    assert.equal(bad.attemptsMade, 1, 'an invalid payload is not retried');

    const runId = randomUUID();
    await addJob(payload(runId, 3, { stepsPerEpoch: 5, stepMs: 5 }), `${runId}.1`);
    await waitFor('the run to succeed', () => api.finished.get(runId) === 'succeeded');
    await waitFor('the job to complete', async () => (await jobState(`${runId}.1`)) === 'completed');
    assertCompleteSeries(runId, 15);
    const [start] = api.callsTo('/start', runId);
    const registered = api.callsTo('/api/runners')[0]!;
    assert.equal(registered.token, 'runner-token');
    assert.equal(registered.body.name, 'a');
    assert.deepEqual(
      { ...start!.body, runnerId: typeof start!.body.runnerId },
      {
        runnerId: 'string',
        attempt: 1,
        backend: 'stub-wasm',
        threads: 1,
        device: 'stub-cpu',
      },
    );
    assert.equal(start!.token, `run-token-${runId}`);
    // The run token came from the API, asked with the runner token for this job (no secret in the payload).
    const credential = api.callsTo('/credentials')[0]!;
    assert.equal(credential.token, 'runner-token');
    assert.deepEqual(credential.body, { queue: 'pretrain', jobId: `${runId}.1` });
    assert.equal(Object.hasOwn((await queue.getJob(`${runId}.1`))!.data as object, 'runToken'), false);
    assert.deepEqual(checkpoints(runId), [5, 10, 15]);
    const final = api.callsTo('/artifacts', runId).find((call) => call.body.kind === 'final-weights')!;
    // Step- and content-addressed keys: runs/<runId>/v/<step, 12 digits>-<16 hex of the sha256>/<file>.
    assert.equal(final.body.path, `runs/${runId}/v/${'15'.padStart(12, '0')}-${String(final.body.sha256).slice(0, 16)}/final_weights.json`);
    assert.ok(existsSync(join(artifactDir, String(final.body.path))));
    const checkpointPaths = (api.artifacts.get(runId) ?? []).filter((r) => r.kind === 'checkpoint').map((r) => String(r.path));
    assert.equal(new Set(checkpointPaths).size, 3, 'each checkpoint has its own key');
    for (const path of checkpointPaths) assert.ok(existsSync(join(artifactDir, path)), path);
    await waitFor('a progress report', () => api.callsTo('/progress', runId).length > 0);
    await waitFor('a heartbeat listing no active run', () =>
      api.callsTo('/heartbeat').some((call) => (call.body.activeRunIds as string[]).length === 0),
    );

    // A job for a run that has ended (start answers 409) is dropped without training, not retried.
    await addJob(payload(runId, 3, { stepsPerEpoch: 5, stepMs: 5 }), `${runId}.again`);
    await waitFor(
      'the stale job to complete',
      async () => (await jobState(`${runId}.again`)) === 'completed',
    );
    assert.deepEqual((await queue.getJob(`${runId}.again`))!.returnvalue, {
      status: 'dropped',
      reason: 'the API refused to start the run',
    });
    assert.equal(api.callsTo('/finish', runId).length, 1, 'no second finish');

    // The evaluate hook: the child calls the trainer module's `evaluate` on the run's stored files.
    const evaluationId = randomUUID();
    await evaluateQueue.add(
      'evaluate',
      {
        runId,
        evaluationId,
        kind: 'classification',
        config: {},
        dataRoot: '/nonexistent',
        backend: 'wasm',
        seed: 0,
      },
      { jobId: `eval-${evaluationId}`, attempts: 1 },
    );
    await waitFor('the evaluation to be reported done', () =>
      api.callsTo(`/api/evaluations/${evaluationId}/report`).find((call) => call.body.status === 'done'),
    );
    const reports = api.callsTo(`/api/evaluations/${evaluationId}/report`).map((call) => call.body.status);
    assert.deepEqual(reports, ['running', 'done']);
    const done = api.callsTo(`/api/evaluations/${evaluationId}/report`)[1]!.body.outcome as {
      checkpoint: string;
    };
    assert.equal(done.checkpoint, 'final', "the evaluation saw the run's final weights from the store");
    assert.ok(api.steps(runId, 'eval/classification/inv/top1').length === 1);
    const evaluationArtifact = api
      .callsTo('/artifacts', runId)
      .find((call) => call.body.kind === 'evaluation')!;
    assert.equal(
      evaluationArtifact.body.path,
      `runs/${runId}/v/${'0'.repeat(12)}-${String(evaluationArtifact.body.sha256).slice(0, 16)}/evaluations/${evaluationId}/result.json`,
    );
  });

  void it('rides out an API outage mid-run: metrics spill to disk and are replayed, nothing is lost', async () => {
    const runId = randomUUID();
    const spill = join(root, 'a', 'spill', runId);
    await addJob(payload(runId, 1, { stepsPerEpoch: 50, stepMs: 20 }), `${runId}.1`);
    await waitFor('training to be under way', () => api.steps(runId).length >= 10);
    api.down = true;
    await waitFor(
      'metrics to spill to disk',
      () => existsSync(spill) && readdirSync(spill).some((f) => f.endsWith('.jsonl')),
    );
    const beforeRecovery = api.steps(runId).length;
    api.down = false;
    await waitFor('the run to succeed', () => api.finished.get(runId) === 'succeeded', 60_000);
    assert.ok(beforeRecovery < 50, 'some points waited for the API');
    assertCompleteSeries(runId, 50);
    await waitFor('the spill folder to be cleaned up', () => !existsSync(spill));
  });

  void it("the job-state gauge reads checkpointing while the run's checkpoint is stored, then running again", async () => {
    const runId = randomUUID();
    const states = async (): Promise<string[]> =>
      promSamples(parsePrometheusText(await (await fetch(runnerA.metricsUrl())).text()), 'equilab_runner_job_state', { run_id: runId }).map((s) => s.labels['state'] ?? '');
    let release: () => void = () => undefined;
    api.heldArtifacts = 0;
    api.holdArtifacts = new Promise<void>((resolve) => (release = resolve));
    try {
      await addJob(payload(runId, 2, { stepsPerEpoch: 40, stepMs: 25 }), `${runId}.1`);
      await waitFor('the first checkpoint record to reach the API', () => api.heldArtifacts > 0, 60_000);
      assert.deepEqual(await states(), ['checkpointing']);
    } finally {
      api.holdArtifacts = null;
      release();
    }
    await waitFor('the job to run its second epoch', async () => (await states()).join() === 'running', 30_000);
    await waitFor('the run to succeed', () => api.finished.get(runId) === 'succeeded', 60_000);
    await waitFor('the job to leave the gauge', async () => (await states()).length === 0, 10_000);
  });

  void it('cancels a run through Redis pub/sub: the run ends canceled with its last epoch checkpoint, the job completes', async () => {
    const runId = randomUUID();
    await addJob(payload(runId, 100_000, { stepsPerEpoch: 10, stepMs: 10 }), `${runId}.1`);
    await waitFor('training to be under way', () => api.steps(runId).length >= 15);
    await waitFor('the heartbeat to list the run', () =>
      api.callsTo('/heartbeat').some((call) => (call.body.activeRunIds as string[]).includes(runId)),
    );
    // The API revokes the attempt's token when it publishes the cancel: from then on its records are refused.
    api.refuseArtifacts.add(runId);
    await redis.publish(CANCEL_CHANNEL, JSON.stringify({ runId }));
    await waitFor('the job to complete', async () => (await jobState(`${runId}.1`)) === 'completed');
    const job = (await queue.getJob(`${runId}.1`))!;
    assert.deepEqual(job.returnvalue, { status: 'canceled' });
    assert.equal(api.finished.get(runId), 'canceled');
    // The cancel ends the attempt (the API revokes its token): the stopping checkpoint is written to its own
    // key and its record refused; the last recorded (epoch-boundary) checkpoint stays whole at its key.
    const recorded = (api.artifacts.get(runId) ?? []).filter((r) => r.kind === 'checkpoint');
    const last = recorded.at(-1)!;
    const lastStep = last.step as number;
    assert.ok(lastStep >= 10, `a checkpoint from before the cancel is kept (last at step ${lastStep})`);
    assert.equal(lastStep % 10, 0, `only epoch-boundary checkpoints are recorded (last at step ${lastStep})`);
    const bytes = readFileSync(join(artifactDir, String(last.path)));
    assert.equal(createHash('sha256').update(bytes).digest('hex'), last.sha256, 'the recorded checkpoint is unchanged');
    assert.equal((JSON.parse(bytes.toString('utf8')) as { step: number }).step, lastStep);
    const refused = api.callsTo('/artifacts', runId).filter((call) => !recorded.some((r) => r.path === call.body.path));
    assert.ok(refused.length >= 1, 'the stopping checkpoint was stored and offered, and refused');
    for (const call of refused) assert.ok(existsSync(join(artifactDir, String(call.body.path))), 'beside the recorded one, unrecorded');
    assert.ok(api.steps(runId).length >= lastStep, 'every step up to the checkpoint was recorded');
  });

  void it('on SIGTERM preempts: checkpoint, finish preempted, exit 0; the re-queued run resumes on another runner', async () => {
    const runId = randomUUID();
    const total = 60;
    // As the API does (runner-api.ts): a preempted run goes back to the queue as a fresh job.
    api.onFinish = async (finishedRunId, status) => {
      if (finishedRunId === runId && status === 'preempted')
        await addJob(payload(runId, total / 10, { stepsPerEpoch: 10, stepMs: 30 }), `${runId}.2`);
    };
    await addJob(payload(runId, total / 10, { stepsPerEpoch: 10, stepMs: 30 }), `${runId}.1`);
    await waitFor('training to be under way', () => api.steps(runId).length >= 13);
    runnerA.process.kill('SIGTERM');
    assert.deepEqual(await runnerA.exited, { code: 0, signal: null });
    // Every line the runner printed is a pino JSON line: its own, main.ts's signal note, its children's stderr.
    const lines = runnerA.output.map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        assert.fail(`not a JSON log line: ${line}`);
      }
    });
    const signalNote = lines.find((l) => l['signal'] === 'SIGTERM');
    assert.match(String(signalNote?.['msg']), /^SIGTERM received/);
    const childNote = lines.find((l) => l['runId'] === runId && l['msg'] === 'stub trainer: starting');
    assert.deepEqual([childNote?.['jobId'], childNote?.['child'], childNote?.['level']], [`${runId}.1`, 'stderr', 30]);
    assert.equal(api.finished.get(runId), 'preempted');
    assert.equal(await jobState(`${runId}.1`), 'completed');
    const preemptedAt = checkpoints(runId).at(-1)!;
    assert.ok(preemptedAt >= 13 && preemptedAt < total, `checkpoint at ${preemptedAt}`);
    assert.equal(
      api.steps(runId).length,
      preemptedAt,
      'metrics up to the checkpoint were delivered before exit',
    );

    const runnerB = await startRunner('b');
    await waitFor('the resumed run to succeed', () => api.finished.get(runId) === 'succeeded', 60_000);
    assertCompleteSeries(runId, total);
    const startsB = api.callsTo('/start', runId);
    assert.equal(startsB.length, 2);
    const stepsB = pointsAfter(api, runId, startsB[1]!);
    assert.equal(Math.min(...stepsB), preemptedAt, 'runner b resumed at the checkpointed step');
    runnerA = runnerB;
  });

  void it('after SIGKILL the job stalls, goes back to the queue and another runner resumes from the last checkpoint', async () => {
    const runId = randomUUID();
    const total = 70;
    await addJob(payload(runId, total / 10, { stepsPerEpoch: 10, stepMs: 30 }), `${runId}.1`);
    await waitFor(
      'a checkpoint and more steps',
      () => checkpoints(runId).length >= 1 && api.steps(runId).length >= 25,
    );
    runnerA.process.kill('SIGKILL');
    await runnerA.exited;
    const lastCheckpoint = checkpoints(runId).at(-1)!;
    const sentBeforeKill = api.steps(runId).length;

    await startRunner('c');
    await waitFor(
      'the stalled run to be resumed and succeed',
      () => api.finished.get(runId) === 'succeeded',
      60_000,
    );
    await waitFor('the job to complete', async () => (await jobState(`${runId}.1`)) === 'completed');
    assertCompleteSeries(runId, total);
    const starts = api.callsTo('/start', runId);
    assert.equal(starts.length, 2, 'started once by the killed runner, once by the runner that took over');
    const stepsC = pointsAfter(api, runId, starts[1]!);
    assert.equal(Math.min(...stepsC), lastCheckpoint, 'resumed at the last stored checkpoint');
    assert.ok(sentBeforeKill >= lastCheckpoint);
  });
});

/** Steps of the metric posts recorded after `call` (the posts of the attempt `call` started). */
function pointsAfter(api: FakeApiServer, runId: string, call: RecordedCall): number[] {
  const index = api.calls.indexOf(call);
  return api.calls
    .slice(index)
    .filter((c) => c.path === `/api/runs/${runId}/metrics`)
    .flatMap((c) => (c.body.points as { step: number }[]).map((p) => p.step));
}
