import { z } from 'zod';
import { isoDate } from './common.api';

/**
 * What a researcher writes about runs and sweeps: a new name, tags and notes (`PATCH /api/runs/:id`,
 * `PATCH /api/sweeps/:id`), and the saved views of a project's Runs table.
 */

/** Longest tag, most tags on one run or sweep, longest notes, longest name. */
export const MAX_TAG_LENGTH = 64;
export const MAX_TAGS = 32;
export const MAX_NOTES_LENGTH = 10_000;
export const MAX_NAME_LENGTH = 200;

/**
 * A tag: 1..64 letters, digits or `_ . : / + = @ -` (no spaces or commas: tags are filtered by a comma-separated
 * query parameter), e.g. `baseline`, `paper:table-1`, `seed-sweep`.
 */
export const tagSchema = z
  .string()
  .trim()
  .min(1)
  .max(MAX_TAG_LENGTH)
  .regex(/^[\p{L}\p{N}_.:/+=@-]+$/u, 'a tag holds letters, digits and _ . : / + = @ - only (no spaces or commas)');

/** At most 32 distinct tags (a repeated tag is refused). */
export const tagsSchema = z
  .array(tagSchema)
  .max(MAX_TAGS)
  .refine((tags) => new Set(tags).size === tags.length, 'each tag may appear once');

/** `PATCH /api/runs/:id` and `PATCH /api/sweeps/:id`: any of name, tags (replaces the list) and notes. */
export const annotateSchema = z
  .object({
    name: z.string().trim().min(1).max(MAX_NAME_LENGTH).optional(),
    tags: tagsSchema.optional(),
    notes: z.string().max(MAX_NOTES_LENGTH).optional(),
  })
  .strict()
  .refine((body) => body.name !== undefined || body.tags !== undefined || body.notes !== undefined, 'give at least one of name, tags, notes');
export type Annotate = z.input<typeof annotateSchema>;

/** A comma-separated tag filter in a query string (`tags=a,b`: runs carrying every one of them). */
export const tagFilterSchema = z.preprocess((v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : v), z.array(tagSchema).min(1).max(MAX_TAGS));

/** Longest saved view name and query string. */
export const MAX_VIEW_NAME_LENGTH = 100;
export const MAX_VIEW_QUERY_LENGTH = 4000;
/** Most saved views per project. */
export const MAX_VIEWS_PER_PROJECT = 200;

/**
 * `POST /api/projects/:id/run-views`: a named Runs-table state. `query` is the table's URL query string as the
 * dashboard serialises it (`?q=lr&status=failed&sort=-metric:Loss/Total%20loss`), or '' for the default table.
 */
export const createRunViewSchema = z
  .object({
    name: z.string().trim().min(1).max(MAX_VIEW_NAME_LENGTH),
    query: z
      .string()
      .max(MAX_VIEW_QUERY_LENGTH)
      .regex(/^(\?[^\s#]*)?$/, "a query string: '' or '?…' without spaces or '#'"),
  })
  .strict();
export type CreateRunView = z.input<typeof createRunViewSchema>;

export const runViewSchema = z.object({
  id: z.string().uuid(),
  projectId: z.string().uuid(),
  name: z.string(),
  query: z.string(),
  createdAt: isoDate,
});
export type RunView = z.infer<typeof runViewSchema>;

/** `GET /api/projects/:id/run-views` (by name). */
export const runViewListSchema = z.object({ items: z.array(runViewSchema) });
export type RunViewList = z.infer<typeof runViewListSchema>;

/** What the Runs table's search looks at. */
export interface SearchableRun {
  readonly id: string;
  readonly name: string;
  readonly method: string;
  readonly tags: readonly string[];
  readonly notes: string;
  readonly sweepParams: Record<string, unknown> | null;
}

/**
 * The Runs table's search (and `q` of GET /api/runs/export): a case-insensitive substring of the name, the
 * method, a tag, the notes or a sweep parameter written `key=value`, or a prefix of the id.
 */
export function runMatchesSearch(run: SearchableRun, search: string): boolean {
  const needle = search.trim().toLowerCase();
  if (needle === '') return true;
  const params = Object.entries(run.sweepParams ?? {}).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`.toLowerCase());
  return (
    run.id.startsWith(needle) ||
    run.name.toLowerCase().includes(needle) ||
    run.method.toLowerCase().includes(needle) ||
    run.tags.some((t) => t.toLowerCase().includes(needle)) ||
    run.notes.toLowerCase().includes(needle) ||
    params.some((p) => p.includes(needle))
  );
}

/** `PUT /api/projects/:id/run-views/:viewId`: rename a view or replace its query. */
export const updateRunViewSchema = createRunViewSchema.partial().strict().refine((b) => b.name !== undefined || b.query !== undefined, 'give name or query');
export type UpdateRunView = z.input<typeof updateRunViewSchema>;
