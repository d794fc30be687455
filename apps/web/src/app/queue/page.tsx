'use client';

import { QUEUE_ROOM, type QueueOverview } from '@equilab/contracts';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { LiveIndicator } from '@/components/live-indicator';
import { PageHeader, buttonClass } from '@/components/page-header';
import { StatusBadge } from '@/components/status-badge';
import { Async, Empty } from '@/components/states';
import { api } from '@/lib/api.client';
import { formatAge, formatDate, shortId } from '@/lib/format';
import { useLive } from '@/lib/socket.client';
import { useApi } from '@/lib/use-api.hook';

export default function QueuePage() {
  const overview = useApi<QueueOverview>('queue', (signal) => api<QueueOverview>('/queue', { signal }));
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  // Live counts; the job lists and runners are refreshed every 10 s in the background.
  const live = useLive([QUEUE_ROOM], {
    queue: ({ queue, counts }) => overview.setData((previous) => (previous ? { ...previous, queues: previous.queues.map((q) => (q.name === queue ? { ...q, counts } : q)) } : previous)),
  });
  const { reload } = overview;
  useEffect(() => {
    const timer = setInterval(reload, 10_000);
    return () => clearInterval(timer);
  }, [reload]);

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
                    <div key={q.name} className="rounded-lg border border-slate-200 p-3 dark:border-slate-800" data-testid="queue" data-queue={q.name}>
                      <h3 className="mb-2 font-mono text-sm font-semibold">{q.name}</h3>
                      <dl className="mb-3 grid grid-cols-3 gap-2 text-center sm:grid-cols-6">
                        {Object.entries(q.counts).map(([k, n]) => (
                          <div key={k} className="rounded bg-slate-50 p-1 dark:bg-slate-900">
                            <dt className="text-[11px] text-slate-500">{k}</dt>
                            <dd className="text-lg font-semibold tabular-nums">{n}</dd>
                          </div>
                        ))}
                      </dl>
                      {q.jobs.length === 0 ? (
                        <p className="text-xs text-slate-500">No waiting or active jobs.</p>
                      ) : (
                        <table className="w-full text-xs">
                          <thead className="text-left text-slate-500">
                            <tr>
                              <th scope="col" className="py-1 pr-2">Job</th>
                              <th scope="col" className="py-1 pr-2">State</th>
                              <th scope="col" className="py-1 pr-2">Run</th>
                              <th scope="col" className="py-1 pr-2">Attempts</th>
                              <th scope="col" className="py-1 pr-2">Priority</th>
                              <th scope="col" className="py-1 pr-2">Queued</th>
                            </tr>
                          </thead>
                          <tbody>
                            {q.jobs.map((job) => (
                              <tr key={job.id} className="border-t border-slate-100 dark:border-slate-800" title={job.failedReason ?? undefined}>
                                <td className="py-1 pr-2 font-mono">{job.name}#{job.id.slice(0, 8)}</td>
                                <td className="py-1 pr-2">{job.state}</td>
                                <td className="py-1 pr-2">
                                  {job.runId ? (
                                    <Link href={`/runs/${job.runId}`} className="font-mono text-sky-700 hover:underline dark:text-sky-400">
                                      {shortId(job.runId)}
                                    </Link>
                                  ) : (
                                    '—'
                                  )}
                                </td>
                                <td className="py-1 pr-2 tabular-nums">{job.attemptsMade}</td>
                                <td className="py-1 pr-2 tabular-nums">{job.priority}</td>
                                <td className="py-1 pr-2">{formatAge(new Date(job.timestamp).toISOString(), now)}</td>
                              </tr>
                            ))}
                          </tbody>
                        </table>
                      )}
                    </div>
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
                <table className="w-full text-sm" data-testid="runners">
                  <thead className="text-left text-xs text-slate-500">
                    <tr>
                      <th scope="col" className="py-2 pr-3">Runner</th>
                      <th scope="col" className="py-2 pr-3">Status</th>
                      <th scope="col" className="py-2 pr-3">Host</th>
                      <th scope="col" className="py-2 pr-3">Device</th>
                      <th scope="col" className="py-2 pr-3">Backend</th>
                      <th scope="col" className="py-2 pr-3">Active runs</th>
                      <th scope="col" className="py-2 pr-3">Heartbeat</th>
                      <th scope="col" className="py-2 pr-3">Since</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.runners.map((r) => (
                      <tr key={r.id} className="border-t border-slate-100 dark:border-slate-800">
                        <td className="py-1.5 pr-3 font-medium">{r.name}</td>
                        <td className="py-1.5 pr-3">
                          <StatusBadge status={r.status} />
                        </td>
                        <td className="py-1.5 pr-3 font-mono text-xs">{r.hostname}</td>
                        <td className="py-1.5 pr-3">
                          {r.device} ×{r.devices}
                        </td>
                        <td className="py-1.5 pr-3">{r.backend}</td>
                        <td className="py-1.5 pr-3 text-xs">
                          {r.activeRunIds.length === 0
                            ? 'idle'
                            : r.activeRunIds.map((id) => (
                                <Link key={id} href={`/runs/${id}`} className="mr-2 font-mono text-sky-700 hover:underline dark:text-sky-400">
                                  {shortId(id)}
                                </Link>
                              ))}
                        </td>
                        <td className="py-1.5 pr-3 tabular-nums" data-testid="heartbeat-age">
                          {formatAge(r.lastHeartbeat, now)}
                        </td>
                        <td className="py-1.5 pr-3 text-xs text-slate-500">{formatDate(r.createdAt)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
          </div>
        )}
      </Async>
    </>
  );
}
