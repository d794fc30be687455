'use client';

import { MAX_NAME_LENGTH, MAX_NOTES_LENGTH, MAX_TAGS, tagSchema } from '@equilab/contracts';
import { useState } from 'react';
import { buttonClass, inputClass, primaryButtonClass } from '@/components/page-header';
import { ApiError, api } from '@/lib/api.client';

export interface Annotated {
  readonly id: string;
  readonly name: string;
  readonly tags: readonly string[];
  readonly notes: string;
}

/** Splits a typed tag list (spaces or commas) and checks each tag as the API does; the first problem, or the tags. */
export function parseTags(text: string): { tags: string[] } | { error: string } {
  const tags = [...new Set(text.split(/[\s,]+/).filter(Boolean))];
  if (tags.length > MAX_TAGS) return { error: `at most ${MAX_TAGS} tags` };
  for (const tag of tags) {
    const parsed = tagSchema.safeParse(tag);
    if (!parsed.success) return { error: `tag “${tag}”: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
  }
  return { tags };
}

/**
 * Name, tags and notes of a run or a sweep (`PATCH /api/runs/:id`, `/api/sweeps/:id`): shown as chips and text,
 * edited in place. `onSaved` gets the API's answer.
 */
export function AnnotationEditor<T extends Annotated>({ subject, path, onSaved }: { subject: T; path: string; onSaved: (next: T) => void }) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(subject.name);
  const [tags, setTags] = useState(subject.tags.join(' '));
  const [notes, setNotes] = useState(subject.notes);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const start = () => {
    setName(subject.name);
    setTags(subject.tags.join(' '));
    setNotes(subject.notes);
    setError(null);
    setEditing(true);
  };

  const save = async () => {
    const parsed = parseTags(tags);
    if ('error' in parsed) return setError(parsed.error);
    if (!name.trim()) return setError('name: must not be empty');
    setBusy(true);
    setError(null);
    try {
      const next = await api<T>(path, { method: 'PATCH', body: { name: name.trim(), tags: parsed.tags, notes } });
      onSaved(next);
      setEditing(false);
    } catch (e) {
      const issue = e instanceof ApiError ? e.issues[0] : undefined;
      setError(issue ? `${issue.path}: ${issue.message}` : (e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  if (!editing)
    return (
      <section aria-label="Tags and notes" className="mb-4 flex flex-wrap items-start gap-2 text-sm" data-testid="annotations">
        <ul className="flex flex-wrap gap-1" aria-label="Tags">
          {subject.tags.length === 0 ? <li className="text-xs text-slate-500">no tags</li> : null}
          {subject.tags.map((t) => (
            <li key={t} className="rounded-full bg-sky-100 px-2 py-0.5 text-xs text-sky-900 dark:bg-sky-950 dark:text-sky-200" data-testid="tag">
              {t}
            </li>
          ))}
        </ul>
        {subject.notes ? <p className="w-full whitespace-pre-wrap text-slate-700 dark:text-slate-300" data-testid="notes">{subject.notes}</p> : null}
        <button type="button" className={`${buttonClass} text-xs`} onClick={start} data-testid="edit-annotations">
          Rename, tags, notes…
        </button>
      </section>
    );

  return (
    <form
      aria-label="Edit name, tags and notes"
      className="mb-4 grid gap-2 rounded-lg border border-slate-200 p-3 text-sm sm:grid-cols-2 dark:border-slate-800"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <label>
        <span className="block text-xs text-slate-500">Name</span>
        <input className={`${inputClass} w-full`} value={name} maxLength={MAX_NAME_LENGTH} onChange={(e) => setName(e.target.value)} aria-label="Name" />
      </label>
      <label>
        <span className="block text-xs text-slate-500">Tags (space or comma separated)</span>
        <input className={`${inputClass} w-full`} value={tags} onChange={(e) => setTags(e.target.value)} aria-label="Tags" placeholder="baseline paper:table-1" />
      </label>
      <label className="sm:col-span-2">
        <span className="block text-xs text-slate-500">Notes</span>
        <textarea className={`${inputClass} h-24 w-full`} value={notes} maxLength={MAX_NOTES_LENGTH} onChange={(e) => setNotes(e.target.value)} aria-label="Notes" />
      </label>
      <div className="flex flex-wrap items-center gap-2 sm:col-span-2">
        <button type="submit" className={primaryButtonClass} disabled={busy}>
          Save
        </button>
        <button type="button" className={buttonClass} onClick={() => setEditing(false)}>
          Cancel
        </button>
        {error ? (
          <span role="alert" className="text-red-700 dark:text-red-400">
            {error}
          </span>
        ) : null}
      </div>
    </form>
  );
}
