const styles: Record<string, string> = {
  queued: 'bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-300',
  running: 'bg-sky-100 text-sky-800 dark:bg-sky-900/60 dark:text-sky-200',
  succeeded: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-900/60 dark:text-emerald-200',
  failed: 'bg-red-100 text-red-800 dark:bg-red-900/60 dark:text-red-200',
  canceled: 'bg-amber-100 text-amber-800 dark:bg-amber-900/60 dark:text-amber-200',
  preempted: 'bg-violet-100 text-violet-800 dark:bg-violet-900/60 dark:text-violet-200',
  paused: 'bg-indigo-100 text-indigo-800 dark:bg-indigo-900/60 dark:text-indigo-200',
  stopped: 'bg-stone-200 text-stone-700 dark:bg-stone-800 dark:text-stone-300',
  completed: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-900/60 dark:text-emerald-200',
  online: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-900/60 dark:text-emerald-200',
  offline: 'bg-slate-100 text-slate-600 dark:bg-slate-800 dark:text-slate-400',
};

/** A run, sweep or runner status as a coloured pill. */
export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ${styles[status] ?? styles['queued']}`} data-testid="status" data-status={status}>
      {status === 'running' ? <span className="mr-1 h-1.5 w-1.5 animate-pulse rounded-full bg-sky-500" aria-hidden /> : null}
      {status}
    </span>
  );
}
