import Link from 'next/link';
import type { ReactNode } from 'react';
import { StatusBadge } from './status-badge';

export function PageHeader({ title, subtitle, actions }: { title: ReactNode; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="mb-4 flex flex-wrap items-start justify-between gap-3">
      <div className="min-w-0">
        <h1 className="truncate text-xl font-semibold tracking-tight">{title}</h1>
        {subtitle ? <div className="mt-0.5 text-sm text-slate-500 dark:text-slate-400">{subtitle}</div> : null}
      </div>
      {actions ? <div className="flex flex-wrap items-center gap-2">{actions}</div> : null}
    </div>
  );
}

/**
 * The header of a run's or a sweep's page: its name; its status badge, then `children` (facts, links); a link
 * back to its project's runs, then `actions`.
 */
export function DetailHeader({ subject, children, actions }: { subject: { name: string; status: string; projectId: string }; children: ReactNode; actions: ReactNode }) {
  const { name, status, projectId } = subject;
  return (
    <PageHeader
      title={name}
      subtitle={
        <span className="flex flex-wrap items-center gap-3">
          <StatusBadge status={status} />
          {children}
        </span>
      }
      actions={
        <>
          <Link href={`/projects/${projectId}/runs`} className={buttonClass}>
            All runs
          </Link>
          {actions}
        </>
      }
    />
  );
}

export const buttonClass = 'rounded border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100 disabled:opacity-50 dark:border-slate-700 dark:hover:bg-slate-800';
export const primaryButtonClass = 'rounded bg-sky-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-700 disabled:opacity-50';
export const dangerButtonClass = 'rounded border border-red-300 px-3 py-1.5 text-sm text-red-700 hover:bg-red-50 disabled:opacity-50 dark:border-red-800 dark:text-red-300 dark:hover:bg-red-950';
export const inputClass = 'rounded border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900';
