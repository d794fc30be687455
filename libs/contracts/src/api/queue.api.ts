import { z } from 'zod';
import { isoDate } from './common.api';

export const queueCountsSchema = z.object({
  waiting: z.number().int(),
  active: z.number().int(),
  delayed: z.number().int(),
  failed: z.number().int(),
  completed: z.number().int(),
  prioritized: z.number().int(),
});
export type QueueCounts = z.infer<typeof queueCountsSchema>;

export const queueJobSchema = z.object({
  id: z.string(),
  name: z.string(),
  state: z.string(),
  runId: z.string().nullable(),
  attemptsMade: z.number().int(),
  priority: z.number().int(),
  timestamp: z.number(),
  failedReason: z.string().nullable(),
});
export type QueueJob = z.infer<typeof queueJobSchema>;

export const runnerStatusSchema = z.enum(['online', 'offline']);
export const runnerSchema = z.object({
  id: z.string().uuid(),
  name: z.string(),
  hostname: z.string(),
  devices: z.number().int(),
  device: z.string(),
  backend: z.string(),
  status: runnerStatusSchema,
  activeRunIds: z.array(z.string()),
  lastHeartbeat: isoDate,
  createdAt: isoDate,
});
export type Runner = z.infer<typeof runnerSchema>;

/** `GET /api/queue` */
export const queueOverviewSchema = z.object({
  queues: z.array(z.object({ name: z.string(), counts: queueCountsSchema, jobs: z.array(queueJobSchema) })),
  runners: z.array(runnerSchema),
});
export type QueueOverview = z.infer<typeof queueOverviewSchema>;
