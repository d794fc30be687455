'use client';

import type { ReactNode } from 'react';
import { ApiError } from '@/lib/api.client';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div role="status" aria-live="polite" className="flex items-center gap-2 p-6 text-sm text-slate-500 dark:text-slate-400">
      <span className="inline-block h-4 w-4 animate-spin rounded-full border-2 border-slate-300 border-t-sky-600" aria-hidden />
      {label}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="rounded-lg border border-dashed border-slate-300 p-8 text-center text-sm text-slate-500 dark:border-slate-700 dark:text-slate-400" data-testid="empty-state">
      <p className="font-medium text-slate-700 dark:text-slate-300">{title}</p>
      {children ? <div className="mt-2">{children}</div> : null}
    </div>
  );
}

export function ErrorState({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  const status = error instanceof ApiError ? error.status : 0;
  const hint =
    status === 401
      ? 'The API token is missing or invalid: set it with the “API token” button.'
      : status === 0 || status >= 500
        ? 'Is the API running? The dashboard forwards /api to it.'
        : null;
  return (
    <div role="alert" className="rounded-lg border border-red-300 bg-red-50 p-4 text-sm text-red-800 dark:border-red-900 dark:bg-red-950/40 dark:text-red-200" data-testid="error-state">
      <p className="font-medium">{error.message}</p>
      {hint ? <p className="mt-1">{hint}</p> : null}
      {onRetry ? (
        <button type="button" onClick={onRetry} className="mt-3 rounded border border-red-400 px-3 py-1 hover:bg-red-100 dark:hover:bg-red-900/40">
          Retry
        </button>
      ) : null}
    </div>
  );
}

/**
 * Renders loading / error / content for one `useApi` state (data stays shown when a reload fails); `notFound`
 * replaces the error for a 404.
 */
export function Async<T>({
  state,
  children,
  loadingLabel,
  notFound,
}: {
  state: { data: T | undefined; error: Error | undefined; reload: () => void };
  children: (data: T) => ReactNode;
  loadingLabel?: string;
  notFound?: ReactNode;
}) {
  if (state.data !== undefined) return <>{children(state.data)}</>;
  if (state.error) return notFound !== undefined && state.error instanceof ApiError && state.error.status === 404 ? <>{notFound}</> : <ErrorState error={state.error} onRetry={state.reload} />;
  return <Loading label={loadingLabel} />;
}
