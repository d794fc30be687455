'use client';

import type { SweepList as SweepListBody } from '@equilab/contracts';
import Link from 'next/link';
import { DataTable, linkColumn, statusColumn, type TableColumn } from '@/components/data-table';
import { PageHeader, primaryButtonClass } from '@/components/page-header';
import { Async, Empty } from '@/components/states';
import { api } from '@/lib/api.client';
import { formatDate } from '@/lib/format';
import { useApi } from '@/lib/use-api.hook';

type Sweep = SweepListBody['items'][number];

const columns: readonly TableColumn<Sweep>[] = [
  linkColumn('name', 'Name', (s) => `/sweeps/${s.id}`),
  statusColumn(),
  { key: 'method', header: 'Method', cell: (s) => s.method },
  { key: 'varied', header: 'Varied', className: 'font-mono text-xs', cell: (s) => Object.keys(s.searchSpace).join(', ') },
  { key: 'runs', header: 'Runs', className: 'text-xs', cell: (s) => Object.entries(s.runCounts).map(([status, n]) => `${n} ${status}`).join(' · ') },
  { key: 'created', header: 'Created', className: 'text-xs text-slate-500', cell: (s) => formatDate(s.createdAt) },
];

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
        {(data) => (data.items.length === 0 ? <Empty title="No sweeps yet" /> : <DataTable columns={columns} rows={data.items} rowKey={(s) => s.id} />)}
      </Async>
    </>
  );
}
