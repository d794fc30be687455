import type { LiveStatus } from '@/lib/socket.client';

const text: Record<LiveStatus, string> = { live: 'live', connecting: 'connecting…', offline: 'offline', unauthorized: 'unauthorized' };

export function LiveIndicator({ status }: { status: LiveStatus }) {
  const colour = status === 'live' ? 'bg-emerald-500' : status === 'connecting' ? 'bg-amber-400' : 'bg-slate-400';
  return (
    <span className="inline-flex items-center gap-1.5 text-xs text-slate-500 dark:text-slate-400" data-testid="live-status" data-live={status}>
      <span className={`h-2 w-2 rounded-full ${colour}`} aria-hidden />
      {text[status]}
    </span>
  );
}
