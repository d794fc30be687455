import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { MetricPoint } from '@equilab/contracts';
import { RunnerApiClient } from '../api-client/runner-api.client';
import { FakeApiServer, waitFor } from '../testing/fake-api.server';
import { MetricBatcher } from './metric-batcher';
import { MetricSpill } from './metric-spill';

const points = (from: number, count: number): MetricPoint[] =>
  Array.from({ length: count }, (_, i) => ({
    key: 'loss',
    step: from + i,
    value: from + i,
    time: 1_700_000_000_000,
  }));

void describe('MetricBatcher', () => {
  const server = new FakeApiServer();
  let api: RunnerApiClient;
  let spillRoot: string;

  before(async () => {
    api = new RunnerApiClient({ baseUrl: await server.start(), runnerToken: 'runner-token' });
    spillRoot = mkdtempSync(join(tmpdir(), 'equilab-spill-'));
  });
  after(async () => {
    await server.close();
    rmSync(spillRoot, { recursive: true, force: true });
  });

  const batcherFor = (
    runId: string,
    overrides: Partial<ConstructorParameters<typeof MetricBatcher>[0]> = {},
  ) =>
    new MetricBatcher({
      meta: { runId, runToken: `token-${runId}` },
      spillRoot,
      send: (batch) => api.metrics(runId, `token-${runId}`, batch),
      batchSize: 100,
      flushIntervalMs: 20,
      memoryLimit: 1_000,
      backoff: { initialMs: 10, maxMs: 50 },
      ...overrides,
    });

  void it('sends in batches of at most batchSize, with the run token, retrying failed posts', async () => {
    const runId = randomUUID();
    server.failNextMetrics = 2;
    const batcher = batcherFor(runId).start();
    batcher.add(points(0, 250));
    assert.equal(await batcher.close(10_000), true);
    assert.deepEqual(
      server.steps(runId),
      points(0, 250).map((p) => p.step),
    );
    const posts = server.callsTo('/metrics', runId);
    assert.ok(posts.every((call) => (call.body.points as unknown[]).length <= 100));
    assert.ok(posts.every((call) => call.token === `token-${runId}`));
    assert.equal(server.failNextMetrics, 0, 'the two failing posts were retried');
    assert.equal(batcher.spilledSegments, 0);
  });

  void it('keeps memory bounded and spills to disk while the API is down, then replays everything', async () => {
    const runId = randomUUID();
    server.down = true;
    const batcher = batcherFor(runId).start();
    for (let i = 0; i < 25; i += 1) {
      batcher.add(points(i * 100, 100));
      assert.ok(batcher.inMemory <= 1_000, `in memory: ${batcher.inMemory}`);
    }
    await waitFor('the batcher to notice the API is down', () => batcher.failing);
    assert.ok(batcher.spilledSegments > 0, 'points were spilled to disk');
    assert.equal(batcher.inMemory, 0, 'an unreachable API leaves nothing waiting in memory');
    assert.equal(server.steps(runId).length, 0);

    server.down = false;
    await waitFor('every point to reach the API', () => server.steps(runId).length === 2_500, 20_000);
    assert.deepEqual(
      server.steps(runId),
      points(0, 2_500).map((p) => p.step),
    );
    assert.equal(await batcher.close(5_000), true);
    assert.equal(batcher.spilledSegments, 0, 'replayed segments are removed');
  });

  void it('leaves unsent points on disk at close, and a later process replays them', async () => {
    const runId = randomUUID();
    server.down = true;
    const first = batcherFor(runId).start();
    first.add(points(0, 300));
    assert.equal(await first.close(100), false);
    assert.ok(first.spilledSegments > 0);
    assert.ok(
      MetricSpill.pending(spillRoot).some(
        (meta) => meta.runId === runId && meta.runToken === `token-${runId}`,
      ),
    );

    server.down = false;
    const meta = MetricSpill.pending(spillRoot).find((m) => m.runId === runId)!;
    const second = new MetricBatcher({
      meta,
      spillRoot,
      send: (batch) => api.metrics(meta.runId, meta.runToken, batch),
      batchSize: 100,
      flushIntervalMs: 20,
      memoryLimit: 1_000,
    });
    assert.equal(await second.close(10_000), true);
    assert.deepEqual(
      server.steps(runId),
      points(0, 300).map((p) => p.step),
    );
    assert.ok(!MetricSpill.pending(spillRoot).some((m) => m.runId === runId), 'the spill folder is gone');
  });

  void it('drops a batch the API rejects as invalid instead of blocking the run', async () => {
    const runId = 'unknown/route';
    const logs: string[] = [];
    const batcher = new MetricBatcher({
      meta: { runId: randomUUID(), runToken: 't' },
      spillRoot,
      send: (batch) => api.metrics(runId, 't', batch),
      batchSize: 100,
      flushIntervalMs: 20,
      memoryLimit: 1_000,
      log: (m) => logs.push(m),
    });
    batcher.add(points(0, 10));
    assert.equal(await batcher.close(5_000), true);
    assert.equal(batcher.droppedPoints, 10);
    assert.ok(
      logs.some((m) => m.includes('HTTP 404')),
      logs.join('\n'),
    );
  });
});
