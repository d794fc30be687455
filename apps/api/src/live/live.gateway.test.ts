 
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { METRICS_COALESCE_MS, runRoom, SOCKET_PATH, type MetricsEvent, type RunEvent, type SubscribeAck } from '@equilab/contracts';
import { io, type Socket } from 'socket.io-client';
import { createProject, createRun, jobRunToken, startTestApp, type TestApp } from '../testing/test-app';

function connect(baseUrl: string, token: string | undefined): Socket {
  return io(baseUrl, { path: SOCKET_PATH, transports: ['websocket'], reconnection: false, auth: token === undefined ? {} : { token } });
}

/** The next `event` on the socket, as an array of its arguments. */
function once(socket: Socket, event: string): Promise<unknown[]> {
  return new Promise((resolve) => socket.once(event, (...args: unknown[]) => resolve(args)));
}

async function connected(socket: Socket): Promise<void> {
  if (socket.connected) return;
  await once(socket, 'connect');
}

function subscribe(socket: Socket, room: string): Promise<SubscribeAck> {
  return socket.timeout(5_000).emitWithAck('subscribe', { room }) as Promise<SubscribeAck>;
}

void describe('live socket.io', () => {
  let t: TestApp;
  let second: TestApp;
  let projectId: string;
  const sockets: Socket[] = [];

  before(async () => {
    t = await startTestApp();
    second = await startTestApp();
    projectId = await createProject(t, 'live');
  });
  after(async () => {
    for (const s of sockets) s.disconnect();
    await second.close();
    await t.close();
  });

  void it('rejects connections without a valid token', async () => {
    for (const token of [undefined, 'eqk_wrong']) {
      const socket = connect(t.baseUrl, token);
      sockets.push(socket);
      const [error] = (await once(socket, 'connect_error')) as unknown as [Error];
      assert.equal(error.message, 'unauthorized');
    }
  });

  void it('delivers a coalesced metrics batch written through REST — also to clients of another replica', async () => {
    const run = await createRun(t, projectId);
    const local = connect(t.baseUrl, t.adminToken);
    const remote = connect(second.baseUrl, second.adminToken);
    sockets.push(local, remote);
    await Promise.all([connected(local), connected(remote)]);
    assert.deepEqual(await subscribe(local, runRoom(run.id)), { ok: true, room: runRoom(run.id) });
    assert.deepEqual(await subscribe(remote, `project:${projectId}`), { ok: true, room: `project:${projectId}` });
    const bad = await subscribe(local, 'everything');
    assert.equal(bad.ok, false);

    // every local event is collected from the start (the throttle sends the first batch at once and the second
    // one window later, possibly before the first await below returns)
    const localSteps: number[] = [];
    let localRoom = '';
    let localRun = '';
    const localAll = new Promise<void>((resolve) =>
      local.on('metrics', (event: MetricsEvent) => {
        localRoom = event.room;
        localRun = event.runs[0]?.runId ?? '';
        for (const r of event.runs) localSteps.push(...r.points.map((p) => p.step));
        if (localSteps.length >= 6) resolve();
      }),
    );
    const remoteBatch = once(remote, 'metrics') as unknown as Promise<[MetricsEvent]>;
    const token = await jobRunToken(t, run.id);
    const points = (from: number) => Array.from({ length: 3 }, (_, i) => ({ key: 'loss', step: from + i, value: i, time: 1 }));
    assert.equal((await t.request('POST', `/api/runs/${run.id}/metrics`, { points: points(0) }, token)).status, 201);
    assert.equal((await t.request('POST', `/api/runs/${run.id}/metrics`, { points: points(3) }, token)).status, 201);
    const [[gotRemote]] = await Promise.all([remoteBatch, localAll]);
    assert.equal(localRoom, runRoom(run.id));
    assert.equal(localRun, run.id);
    assert.equal(gotRemote.room, `project:${projectId}`);
    // the first write goes out at once (quiet room), the second within METRICS_COALESCE_MS: every point exactly once, in order
    assert.deepEqual(localSteps, [0, 1, 2, 3, 4, 5]);
    void METRICS_COALESCE_MS;
  });

  void it('emits run status changes to the run room', async () => {
    const run = await createRun(t, projectId);
    const socket = connect(t.baseUrl, t.adminToken);
    sockets.push(socket);
    await connected(socket);
    await subscribe(socket, runRoom(run.id));
    const event = once(socket, 'run') as unknown as Promise<[RunEvent]>;
    await t.request('POST', `/api/runs/${run.id}/cancel`);
    const [got] = await event;
    assert.equal(got.run.id, run.id);
    assert.equal(got.run.status, 'canceled');
  });

  void it('run tokens may only join their own run room', async () => {
    const run = await createRun(t, projectId);
    const other = await createRun(t, projectId);
    const socket = connect(t.baseUrl, await jobRunToken(t, run.id));
    sockets.push(socket);
    await connected(socket);
    assert.equal((await subscribe(socket, runRoom(run.id))).ok, true);
    assert.deepEqual(await subscribe(socket, runRoom(other.id)), { ok: false, room: runRoom(other.id), error: 'forbidden' });
  });
});
