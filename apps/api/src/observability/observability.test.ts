import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { io, type Socket } from 'socket.io-client';
import { parsePrometheusText, promSamples, promValue, SOCKET_PATH } from '@equilab/contracts';
import { createProject, createRun, startTestApp, type TestApp } from '../testing/test-app';
import { MetricsServer } from './metrics-server';

/** Collects the API's JSON log lines. */
class LogLines extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) this.lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  }
}

void describe('observability', () => {
  let t: TestApp;
  let metricsUrl: string;
  const logs = new LogLines();

  before(async () => {
    t = await startTestApp({ METRICS_PORT: '0', LOG_LEVEL: 'log' }, { logDestination: logs });
    const port = t.app.get(MetricsServer).port;
    assert.ok(port, 'the metrics listener is bound');
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
  });
  after(async () => {
    await t.close();
  });

  const scrape = async () => {
    const res = await fetch(metricsUrl);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    return parsePrometheusText(await res.text());
  };

  void it('GET /metrics: latency by route template and status, points ingested, queues, pools, socket.io clients', async () => {
    const projectId = await createProject(t, 'observability');
    const run = await createRun(t, projectId);
    const before = await scrape();
    const ingestedBefore = promValue(before, 'equilab_metric_points_ingested_total');
    const points = [0, 1, 2].map((step) => ({ key: 'loss', step, value: 1 / (step + 1), time: 1_700_000_000_000 + step }));
    assert.equal((await t.request('POST', `/api/runs/${run.id}/metrics`, { points })).status, 201);
    assert.equal((await t.request('GET', `/api/runs/${run.id}`)).status, 200);
    assert.equal((await t.request('GET', `/api/runs/00000000-0000-4000-8000-000000000000`)).status, 404);
    assert.equal((await t.request('GET', '/api/no-such-route')).status, 404);
    const socket: Socket = io(t.baseUrl, { path: SOCKET_PATH, auth: { token: t.adminToken }, transports: ['websocket'] });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    try {
      const m = await scrape();
      assert.equal(promValue(m, 'equilab_metric_points_ingested_total') - ingestedBefore, 3);

      const latency = 'equilab_http_request_duration_seconds';
      assert.equal(m.types.get(latency), 'histogram');
      assert.equal(promValue(m, `${latency}_count`, { method: 'GET', route: '/api/runs/:id', status: '200' }), 1);
      assert.equal(promValue(m, `${latency}_bucket`, { method: 'GET', route: '/api/runs/:id', status: '200', le: '+Inf' }), 1);
      assert.equal(promValue(m, `${latency}_count`, { method: 'GET', route: '/api/runs/:id', status: '404' }), 1);
      assert.equal(promValue(m, `${latency}_count`, { method: 'POST', route: '/api/runs/:id/metrics', status: '201' }), 1);
      assert.ok(promValue(m, `${latency}_count`, { method: 'GET', route: 'unmatched', status: '404' }) >= 1);
      // No raw URL (run ids) becomes a label value.
      assert.ok(promSamples(m, `${latency}_count`).every((s) => !(s.labels['route'] ?? '').includes(run.id)));

      // createRun queued the run's pretrain job: it waits (waiting or prioritized) in the pretrain queue.
      assert.equal(m.types.get('equilab_queue_jobs'), 'gauge');
      const pretrain = promSamples(m, 'equilab_queue_jobs', { queue: 'pretrain' });
      assert.deepEqual(new Set(pretrain.map((s) => s.labels['state'])), new Set(['waiting', 'prioritized', 'delayed', 'active', 'failed']));
      const waiting = promValue(m, 'equilab_queue_jobs', { queue: 'pretrain', state: 'waiting' }) + promValue(m, 'equilab_queue_jobs', { queue: 'pretrain', state: 'prioritized' });
      assert.ok(waiting >= 1, `the queued run's job waits (${waiting})`);
      assert.equal(promValue(m, 'equilab_queue_jobs', { queue: 'evaluate', state: 'active' }), 0);

      assert.equal(promValue(m, 'equilab_socketio_clients'), 1);
      for (const pool of ['prisma', 'bulk']) {
        assert.equal(promValue(m, 'equilab_pg_pool_max_connections', { pool }), 10);
        const open = promValue(m, 'equilab_pg_pool_connections', { pool });
        assert.ok(open >= 1 && open <= 10, `${pool} pool: ${open} connections`);
        assert.equal(promValue(m, 'equilab_pg_pool_waiting_clients', { pool }), 0);
      }
      assert.equal(m.types.get('process_resident_memory_bytes'), 'gauge');
    } finally {
      socket.disconnect();
    }
  });

  void it('the metrics listener answers /metrics only, and nothing on the API port', async () => {
    assert.equal((await fetch(metricsUrl.replace('/metrics', '/other'))).status, 404);
    assert.equal((await fetch(metricsUrl, { method: 'POST' })).status, 405);
    assert.equal((await t.request('GET', '/metrics', undefined, null)).status, 404);
  });

  void it('JSON logs: a request id (the caller’s or a new one, echoed) and the run id on run routes', async () => {
    const projectId = await createProject(t, 'logs');
    const run = await createRun(t, projectId);
    const sent = await fetch(`${t.baseUrl}/api/runs/${run.id}`, { headers: { authorization: `Bearer ${t.adminToken}`, 'x-request-id': 'trace-42' } });
    assert.equal(sent.status, 200);
    assert.equal(sent.headers.get('x-request-id'), 'trace-42');
    const fresh = await fetch(`${t.baseUrl}/api/projects/${projectId}`, { headers: { authorization: `Bearer ${t.adminToken}`, 'x-request-id': 'bad id with spaces' } });
    const freshId = fresh.headers.get('x-request-id') ?? '';
    assert.match(freshId, /^[0-9a-f-]{36}$/);
    const completed = logs.lines.find((l) => (l['req'] as { id?: unknown } | undefined)?.id === 'trace-42');
    assert.ok(completed, 'the request is logged with its id');
    assert.equal(completed['runId'], run.id);
    assert.equal(completed['level'], 30);
    assert.equal(completed['msg'], 'request completed');
    assert.equal((completed['res'] as { statusCode: number }).statusCode, 200);
    assert.equal(typeof completed['responseTime'], 'number');
    assert.equal((completed['req'] as Record<string, unknown>)['headers'], undefined, 'no headers (tokens) in logs');
    const other = logs.lines.find((l) => (l['req'] as { id?: unknown } | undefined)?.id === freshId);
    assert.ok(other);
    assert.equal(other['runId'], undefined);
    assert.ok(logs.lines.every((l) => !JSON.stringify(l).includes(t.adminToken)), 'no token in any log line');
  });
});
