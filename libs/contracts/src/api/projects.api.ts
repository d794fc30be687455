import { z } from 'zod';
import { isoDate } from './common.api';

/** `POST /api/projects` */
export const createProjectSchema = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(5000).default(''),
});
export type CreateProject = z.input<typeof createProjectSchema>;

export const projectSchema = z.object({
  id: z.string().uuid(),
  name: z.string(),
  description: z.string(),
  createdAt: isoDate,
  /** Number of runs per status. */
  runCounts: z.record(z.string(), z.number().int()),
});
export type Project = z.infer<typeof projectSchema>;

/** `GET /api/projects` → `{ items: Project[] }` */
export const projectListSchema = z.object({ items: z.array(projectSchema) });
export type ProjectList = z.infer<typeof projectListSchema>;
