'use client';

import { QUEUE_ROOM, type QueueOverview } from '@equilab/contracts';
import Link from 'next/link';
import { DataTable, type TableColumn } from '@/components/data-table';
import { LiveIndicator } from '@/components/live-indicator';
import { PageHeader, buttonClass } from '@/components/page-header';
import { StatusBadge } from '@/components/status-badge';
import { Async, Empty } from '@/components/states';
import { api } from '@/lib/api.client';
import { formatAge, formatDate, shortId } from '@/lib/format';
import { useLive } from '@/lib/socket.client';
import { useApi } from '@/lib/use-api.hook';
import { useInterval, useNow } from '@/lib/use-interval.hook';

type Queue = QueueOverview['queues'][number];
type Job = Queue['jobs'][number];
type Runner = QueueOverview['runners'][number];

/** The job lists and runners are refreshed this often; queue counts arrive live. */
const REFRESH_MS = 10_000;

function RunLink({ id }: { id: string }) {
  return (
    <Link href={`/runs/${id}`} className="mr-2 font-mono text-sky-700 hover:underline dark:text-sky-400">
      {shortId(id)}
    </Link>
  );
}

function jobColumns(now: number): TableColumn<Job>[] {
  return [
    { key: 'job', header: 'Job', className: 'font-mono', cell: (job) => `${job.name}#${job.id.slice(0, 8)}` },
    { key: 'state', header: 'State', cell: (job) => job.state },
    { key: 'run', header: 'Run', cell: (job) => (job.runId ? <RunLink id={job.runId} /> : '—') },
    { key: 'attempts', header: 'Attempts', className: 'tabular-nums', cell: (job) => job.attemptsMade },
    { key: 'priority', header: 'Priority', className: 'tabular-nums', cell: (job) => job.priority },
    { key: 'queued', header: 'Queued', cell: (job) => formatAge(new Date(job.timestamp).toISOString(), now) },
  ];
}

function runnerColumns(now: number): TableColumn<Runner>[] {
  return [
    { key: 'name', header: 'Runner', className: 'font-medium', cell: (r) => r.name },
    { key: 'status', header: 'Status', cell: (r) => <StatusBadge status={r.status} /> },
    { key: 'host', header: 'Host', className: 'font-mono text-xs', cell: (r) => r.hostname },
    { key: 'device', header: 'Device', cell: (r) => `${r.device} ×${r.devices}` },
    { key: 'backend', header: 'Backend', cell: (r) => r.backend },
    { key: 'active', header: 'Active runs', className: 'text-xs', cell: (r) => (r.activeRunIds.length === 0 ? 'idle' : r.activeRunIds.map((id) => <RunLink key={id} id={id} />)) },
    { key: 'heartbeat', header: 'Heartbeat', className: 'tabular-nums', cell: (r) => <span data-testid="heartbeat-age">{formatAge(r.lastHeartbeat, now)}</span> },
    { key: 'since', header: 'Since', className: 'text-xs text-slate-500', cell: (r) => formatDate(r.createdAt) },
  ];
}

function QueueCard({ queue, now }: { queue: Queue; now: number }) {
  return (
    <div className="rounded-lg border border-slate-200 p-3 dark:border-slate-800" data-testid="queue" data-queue={queue.name}>
      <h3 className="mb-2 font-mono text-sm font-semibold">{queue.name}</h3>
      <dl className="mb-3 grid grid-cols-3 gap-2 text-center sm:grid-cols-6">
        {Object.entries(queue.counts).map(([state, n]) => (
          <div key={state} className="rounded bg-slate-50 p-1 dark:bg-slate-900">
            <dt className="text-[11px] text-slate-500">{state}</dt>
            <dd className="text-lg font-semibold tabular-nums">{n}</dd>
          </div>
        ))}
      </dl>
      {queue.jobs.length === 0 ? (
        <p className="text-xs text-slate-500">No waiting or active jobs.</p>
      ) : (
        <DataTable density="compact" columns={jobColumns(now)} rows={queue.jobs} rowKey={(job) => job.id} rowAttributes={(job) => ({ title: job.failedReason ?? undefined })} />
      )}
    </div>
  );
}

export default function QueuePage() {
  const overview = useApi<QueueOverview>('queue', (signal) => api<QueueOverview>('/queue', { signal }));
  const now = useNow(1000);
  const live = useLive([QUEUE_ROOM], {
    queue: ({ queue, counts }) => overview.setData((previous) => (previous ? { ...previous, queues: previous.queues.map((q) => (q.name === queue ? { ...q, counts } : q)) } : previous)),
  });
  const { reload } = overview;
  useInterval(reload, REFRESH_MS);

  return (
    <>
      <PageHeader title="Queue" subtitle={<LiveIndicator status={live} />} actions={<button type="button" className={buttonClass} onClick={reload}>Refresh</button>} />
      <Async state={overview} loadingLabel="Loading queues…">
        {(data) => (
          <div className="space-y-6">
            <section aria-labelledby="queues-title">
              <h2 id="queues-title" className="mb-2 text-base font-semibold">
                Queues
              </h2>
              {data.queues.length === 0 ? (
                <Empty title="No queues" />
              ) : (
                <div className="grid gap-4 lg:grid-cols-2">
                  {data.queues.map((q) => (
                    <QueueCard key={q.name} queue={q} now={now} />
                  ))}
                </div>
              )}
            </section>
            <section aria-labelledby="runners-title">
              <h2 id="runners-title" className="mb-2 text-base font-semibold">
                Runners
              </h2>
              {data.runners.length === 0 ? (
                <Empty title="No runners registered">Start one with the runner app; it appears here with its heartbeat.</Empty>
              ) : (
                <DataTable columns={runnerColumns(now)} rows={data.runners} rowKey={(r) => r.id} testId="runners" />
              )}
            </section>
          </div>
        )}
      </Async>
    </>
  );
}
