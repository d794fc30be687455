import type { ReactNode } from 'react';

/**
 * A bordered section with a small heading (`aria-labelledby` its heading); `actions` sit at the heading's right.
 * `flush` leaves the body unpadded (a table that runs to the border).
 */
export function Panel({ id, title, actions, flush = false, className = '', testId, children }: { id: string; title: ReactNode; actions?: ReactNode; flush?: boolean; className?: string; testId?: string; children: ReactNode }) {
  const heading = (
    <h2 id={id} className={`text-sm font-semibold ${actions ? '' : flush ? 'px-3 pt-3' : 'mb-2'}`}>
      {title}
    </h2>
  );
  return (
    <section aria-labelledby={id} className={`rounded-lg border border-slate-200 dark:border-slate-800 ${flush ? '' : 'p-3'} ${className}`} data-testid={testId}>
      {actions ? (
        <div className={`mb-2 flex flex-wrap items-center justify-between gap-2 ${flush ? 'px-3 pt-3' : ''}`}>
          {heading}
          {actions}
        </div>
      ) : (
        heading
      )}
      {children}
    </section>
  );
}
