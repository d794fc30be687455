'use client';

import type { SweepList as SweepListBody } from '@equilab/contracts';
import Link from 'next/link';
import { PageHeader, primaryButtonClass } from '@/components/page-header';
import { StatusBadge } from '@/components/status-badge';
import { Async, Empty } from '@/components/states';
import { api } from '@/lib/api.client';
import { formatDate } from '@/lib/format';
import { useApi } from '@/lib/use-api.hook';

export function SweepList({ projectId }: { projectId: string }) {
  const sweeps = useApi<SweepListBody>(`sweeps:${projectId}`, (signal) => api<SweepListBody>('/sweeps', { query: { projectId }, signal }));
  return (
    <>
      <PageHeader
        title="Sweeps"
        actions={
          <Link href={`/projects/${projectId}/new`} className={primaryButtonClass}>
            New sweep
          </Link>
        }
      />
      <Async state={sweeps} loadingLabel="Loading sweeps…">
        {(data) =>
          data.items.length === 0 ? (
            <Empty title="No sweeps yet" />
          ) : (
            <table className="w-full text-sm">
              <thead className="text-left text-xs text-slate-500">
                <tr>
                  <th scope="col" className="py-2 pr-3">Name</th>
                  <th scope="col" className="py-2 pr-3">Status</th>
                  <th scope="col" className="py-2 pr-3">Method</th>
                  <th scope="col" className="py-2 pr-3">Varied</th>
                  <th scope="col" className="py-2 pr-3">Runs</th>
                  <th scope="col" className="py-2 pr-3">Created</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((s) => (
                  <tr key={s.id} className="border-t border-slate-100 dark:border-slate-800">
                    <td className="py-1.5 pr-3">
                      <Link href={`/sweeps/${s.id}`} className="text-sky-700 hover:underline dark:text-sky-400">
                        {s.name}
                      </Link>
                    </td>
                    <td className="py-1.5 pr-3">
                      <StatusBadge status={s.status} />
                    </td>
                    <td className="py-1.5 pr-3">{s.method}</td>
                    <td className="py-1.5 pr-3 font-mono text-xs">{Object.keys(s.searchSpace).join(', ')}</td>
                    <td className="py-1.5 pr-3 text-xs">{Object.entries(s.runCounts).map(([k, n]) => `${n} ${k}`).join(' · ')}</td>
                    <td className="py-1.5 pr-3 text-xs text-slate-500">{formatDate(s.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Async>
    </>
  );
}
