import { z } from 'zod';

export const dependencyHealthSchema = z.object({ ok: z.boolean(), latencyMs: z.number().nullable() });
/** `GET /api/health` (no auth). */
export const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  postgres: dependencyHealthSchema,
  redis: dependencyHealthSchema,
});
export type Health = z.infer<typeof healthSchema>;
