import type { Run } from '@equilab/contracts';
import { formatDuration } from '@/lib/format';
import type { RunProgress } from '@/lib/progress';
import { runProgress } from '@/lib/progress';

/** A progress bar and `20 / 20 steps · 100%` (plus the ETA while running): the one progress display of every page. */
export function ProgressView({ progress, eta }: { progress: RunProgress; eta?: string | undefined }) {
  if (progress.fraction === null) return <span className="text-xs text-slate-400" data-testid="progress">{progress.text}</span>;
  return (
    <div className="flex min-w-0 items-center gap-2" data-testid="progress" title="optimisation steps done out of the total">
      <div className="h-1.5 w-16 shrink-0 overflow-hidden rounded bg-slate-200 dark:bg-slate-800" role="progressbar" aria-valuemin={0} aria-valuemax={progress.total ?? 0} aria-valuenow={progress.done ?? 0}>
        <div className="h-full bg-sky-500" style={{ width: `${progress.fraction * 100}%` }} />
      </div>
      <span className="truncate text-xs tabular-nums text-slate-500 dark:text-slate-400">
        {progress.text}
        {eta ? ` · ETA ${eta}` : ''}
      </span>
    </div>
  );
}

/** A run's progress (ETA while it runs). */
export function RunProgressView({ run }: { run: Run }) {
  return <ProgressView progress={runProgress(run)} eta={run.status === 'running' && run.etaSeconds !== null ? formatDuration(run.etaSeconds) : undefined} />;
}
