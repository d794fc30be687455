import { z } from 'zod';
import { queueCountsSchema } from './api/queue.api';
import { runSchema } from './api/runs.api';
import { evaluationKindSchema, evaluationStatusSchema } from './evaluations';
import { metricPointSchema } from './training';

/**
 * socket.io protocol (path `/socket.io`, same origin as the API). Connect with `io(url, { path: '/socket.io',
 * auth: { token } })`; a missing/invalid token fails the connection with `connect_error` message
 * `unauthorized`. Then `emit('subscribe', { room }, ack)` with a room from the helpers below; ack receives
 * `SubscribeAck`. Events from the server: `metrics`, `run`, `evaluation`, `queue`.
 */
export const SOCKET_PATH = '/socket.io';

export const projectRoom = (projectId: string) => `project:${projectId}`;
export const sweepRoom = (sweepId: string) => `sweep:${sweepId}`;
export const runRoom = (runId: string) => `run:${runId}`;
/** Everyone authenticated may join `queue` for queue count changes. */
export const QUEUE_ROOM = 'queue';

export const roomSchema = z.string().regex(/^(queue|(project|sweep|run):[0-9a-f-]{36})$/i, 'must be queue, project:<id>, sweep:<id> or run:<id>');

export const SocketEvents = {
  subscribe: 'subscribe',
  unsubscribe: 'unsubscribe',
  metrics: 'metrics',
  run: 'run',
  evaluation: 'evaluation',
  queue: 'queue',
} as const;

/** Client → server: `subscribe` / `unsubscribe`. */
export const subscribeSchema = z.object({ room: roomSchema });
export type Subscribe = z.infer<typeof subscribeSchema>;
export const subscribeAckSchema = z.object({ ok: z.boolean(), room: z.string(), error: z.string().optional() });
export type SubscribeAck = z.infer<typeof subscribeAckSchema>;

/**
 * Server → client `metrics`: points written since the last event for this room, grouped by run. Leading-edge
 * throttled per room: a quiet room's first batch is emitted at once; while the room is busy (an event went out
 * less than METRICS_COALESCE_MS ago) points are coalesced and sent when that window ends. One event carries at
 * most METRICS_EVENT_MAX_POINTS points (more pending points go out as several events, none dropped).
 */
export const metricsEventSchema = z.object({
  room: z.string(),
  runs: z.array(z.object({ runId: z.string().uuid(), points: z.array(metricPointSchema) })),
});
export type MetricsEvent = z.infer<typeof metricsEventSchema>;

/** Server → client `run`: the run's new state after a status or progress change (rooms run/project/sweep). */
export const runEventSchema = z.object({ room: z.string(), run: runSchema });
export type RunEvent = z.infer<typeof runEventSchema>;

/**
 * Server → client `evaluation` (rooms run/project/sweep of the evaluated run): an evaluation changed state or stored
 * a result.
 */
export const evaluationEventSchema = z.object({
  room: z.string(),
  evaluationId: z.string().uuid(),
  runId: z.string().uuid(),
  kind: evaluationKindSchema,
  status: evaluationStatusSchema,
});
export type EvaluationEvent = z.infer<typeof evaluationEventSchema>;

/** Server → client `queue` (room `queue`, and project rooms): counts of a queue after a change. */
export const queueEventSchema = z.object({ queue: z.string(), counts: queueCountsSchema });
export type QueueEvent = z.infer<typeof queueEventSchema>;

/** Throttle window of `metrics` events per room, milliseconds (a busy room gets at most one event batch per window). */
export const METRICS_COALESCE_MS = 50;
/** Most points one `metrics` event carries. */
export const METRICS_EVENT_MAX_POINTS = 2_000;
