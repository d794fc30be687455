// Worker thread of the API bench's live-latency measurement: `runs` simulated runners write one-point batches
// through REST at `intervalMs` (±50 %) and one dashboard client on the project room times each point from the
// writer's Date.now() to its arrival in a `metrics` event. Runs off the API's event loop (the API under test lives
// in the bench's main thread), so the client's own work does not queue behind the server's.
import { parentPort, workerData } from 'node:worker_threads';
import { projectRoom, SOCKET_PATH, type MetricsEvent } from '@equilab/contracts';
import { io } from 'socket.io-client';

export interface LiveLoadInput {
  baseUrl: string;
  token: string;
  projectId: string;
  runIds: string[];
  batches: number;
  intervalMs: number;
  timeoutMs: number;
}

export interface LiveLoadResult {
  latencies: number[];
  writeLatencies: number[];
  expected: number;
  events: number;
  maxEventPoints: number;
  seconds: number;
}

async function main(input: LiveLoadInput): Promise<LiveLoadResult> {
  const socket = io(input.baseUrl, { path: SOCKET_PATH, transports: ['websocket'], auth: { token: input.token }, reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  await socket.timeout(10_000).emitWithAck('subscribe', { room: projectRoom(input.projectId) });
  const latencies: number[] = [];
  const writeLatencies: number[] = [];
  const expected = input.runIds.length * input.batches;
  let events = 0;
  let maxEventPoints = 0;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  socket.on('metrics', (event: MetricsEvent) => {
    const now = Date.now();
    events++;
    let n = 0;
    for (const run of event.runs) {
      n += run.points.length;
      for (const p of run.points) if (p.key === 'lat') latencies.push(now - p.time);
    }
    maxEventPoints = Math.max(maxEventPoints, n);
    if (latencies.length >= expected) resolveDone();
  });
  const start = performance.now();
  await Promise.all(
    input.runIds.map(async (runId, i) => {
      // spread the first writes over one interval
      await new Promise((r) => setTimeout(r, (i / input.runIds.length) * input.intervalMs));
      for (let b = 0; b < input.batches; b++) {
        const sent = Date.now();
        const res = await fetch(`${input.baseUrl}/api/runs/${runId}/metrics`, {
          method: 'POST',
          headers: { authorization: `Bearer ${input.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ points: [{ key: 'lat', step: b, value: b, time: sent }] }),
        });
        if (res.status !== 201) throw new Error(`latency write failed: ${res.status} ${await res.text()}`);
        writeLatencies.push(Date.now() - sent);
        await new Promise((r) => setTimeout(r, input.intervalMs * (0.5 + Math.random())));
      }
    }),
  );
  await Promise.race([done, new Promise((r) => setTimeout(r, input.timeoutMs))]);
  socket.disconnect();
  return { latencies, writeLatencies, expected, events, maxEventPoints, seconds: (performance.now() - start) / 1000 };
}

main(workerData as LiveLoadInput).then(
  (result) => parentPort?.postMessage(result),
  (error: unknown) => {
    throw error;
  },
);
