'use client';

import type { RunView, RunViewList } from '@equilab/contracts';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { buttonClass, inputClass } from '@/components/page-header';
import { ApiError, api } from '@/lib/api.client';
import { useAction } from '@/lib/use-action.hook';
import { useApi } from '@/lib/use-api.hook';

/**
 * Saved views of the Runs table (`/api/projects/:id/run-views`): open one (its query string becomes the URL),
 * save the current one under a name, delete one.
 */
export function SavedViews({ projectId, currentQuery }: { projectId: string; currentQuery: string }) {
  const router = useRouter();
  const views = useApi<RunViewList>(`run-views:${projectId}`, (signal) => api<RunViewList>(`/projects/${projectId}/run-views`, { signal }));
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const action = useAction();
  const items = views.data?.items ?? [];
  const current = items.find((v) => v.query === currentQuery);

  const save = () =>
    action.run(async () => {
      setError(null);
      try {
        await api<RunView>(`/projects/${projectId}/run-views`, { method: 'POST', body: { name: name.trim(), query: currentQuery } });
        setName('');
        views.reload();
      } catch (e) {
        const issue = e instanceof ApiError ? e.issues[0] : undefined;
        setError(issue ? `${issue.path}: ${issue.message}` : (e as Error).message);
      }
    });

  return (
    <div className="mb-3 flex flex-wrap items-end gap-2 text-sm" data-testid="saved-views">
      <label className="flex flex-col gap-1">
        <span className="text-xs text-slate-500">Saved views</span>
        <select
          className={`${inputClass} w-48`}
          aria-label="Saved views"
          value={current?.id ?? ''}
          onChange={(e) => {
            const view = items.find((v) => v.id === e.target.value);
            router.push(`/projects/${projectId}/runs${view?.query ?? ''}`);
          }}
        >
          <option value="">{items.length === 0 ? 'none saved' : current ? current.name : 'current table (unsaved)'}</option>
          {items.map((v) => (
            <option key={v.id} value={v.id}>
              {v.name}
            </option>
          ))}
        </select>
      </label>
      <form
        className="flex items-end gap-1"
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim()) save();
        }}
      >
        <input className={`${inputClass} w-40`} value={name} onChange={(e) => setName(e.target.value)} placeholder="view name" aria-label="View name" maxLength={100} />
        <button type="submit" className={buttonClass} disabled={!name.trim() || action.busy}>
          Save view
        </button>
      </form>
      {current ? (
        <button
          type="button"
          className={buttonClass}
          disabled={action.busy}
          onClick={() =>
            action.run(async () => {
              await api(`/projects/${projectId}/run-views/${current.id}`, { method: 'DELETE' });
              views.reload();
            })
          }
        >
          Delete “{current.name}”
        </button>
      ) : null}
      {error || action.error ? (
        <span role="alert" className="text-red-700 dark:text-red-400">
          {error ?? action.error?.message}
        </span>
      ) : null}
    </div>
  );
}
