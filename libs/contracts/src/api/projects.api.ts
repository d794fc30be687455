import { z } from 'zod';
import { MAX_DESCRIPTION_LENGTH, nameText, text } from './bounds';
import { isoDate } from './common.api';

/** `POST /api/projects` */
export const createProjectSchema = z.strictObject({
  /** 1 … 200 characters after trimming, no NUL. */
  name: nameText(),
  /** At most 5,000 characters, no NUL. */
  description: text(MAX_DESCRIPTION_LENGTH, 0).default(''),
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

/** What a delete did to the artifact store: each deleted run's folder `runs/<runId>/` under ARTIFACT_DIR. */
export const artifactCleanupSchema = z.object({
  /** Run folders removed from the artifact store. */
  removedFolders: z.number().int(),
  /** Files or folders that could not be removed (the database rows are deleted regardless). */
  failed: z.array(z.object({ path: z.string(), error: z.string() })),
});
export type ArtifactCleanup = z.infer<typeof artifactCleanupSchema>;

/** `DELETE /api/projects/:id`, `DELETE /api/runs/:id` (200). */
export const deletionResultSchema = z.object({
  /** Runs deleted with their metrics, artifact records, evaluations and tokens. */
  deletedRuns: z.number().int(),
  artifactFiles: artifactCleanupSchema,
});
export type DeletionResult = z.infer<typeof deletionResultSchema>;
