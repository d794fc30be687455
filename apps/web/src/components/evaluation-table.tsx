'use client';

import { projectRoom, runRoom, sweepRoom, type EvaluationCell, type EvaluationTable, type EvaluationTablePart } from '@equilab/contracts';
import { useState } from 'react';
import { buttonClass, inputClass } from '@/components/page-header';
import { ErrorState, Loading } from '@/components/states';
import { api } from '@/lib/api.client';
import { download } from '@/lib/download';
import { useEvaluationUpdates } from '@/lib/evaluation-updates.hook';
import { useApi } from '@/lib/use-api.hook';

export interface EvaluationTableScope {
  readonly runIds?: readonly string[];
  readonly sweepId?: string;
  readonly projectId?: string;
}

const fmt = (v: number | null, digits = 3): string => (v === null ? '—' : v.toFixed(digits));

function Cell({ cell, best, column }: { cell: EvaluationCell | undefined; best: boolean; column: string }) {
  if (!cell || (cell.mean === null && !cell.notApplicable))
    return (
      <td className="px-3 py-1.5 text-slate-400" data-column={column}>
        —
      </td>
    );
  if (cell.notApplicable)
    return (
      <td className="px-3 py-1.5 text-xs text-slate-400" data-column={column} title="the method has no equivariant predictor">
        n/a
      </td>
    );
  return (
    <td data-column={column} className={`px-3 py-1.5 font-mono text-xs ${best ? 'bg-emerald-50 font-bold text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200' : ''}`} data-best={best ? 'true' : undefined}>
      {fmt(cell.mean)}
      {cell.std !== null ? <span className="text-slate-500"> ± {fmt(cell.std)}</span> : null}
      {cell.n > 1 ? <span className="text-slate-400"> (n={cell.n})</span> : null}
      {cell.delta !== null ? (
        <div className={cell.delta >= 0 ? 'text-emerald-700 dark:text-emerald-400' : 'text-red-700 dark:text-red-400'}>
          {cell.delta >= 0 ? '+' : ''}
          {fmt(cell.delta)}
        </div>
      ) : null}
    </td>
  );
}

/**
 * The offline-evaluation table (paper layout): groups of runs × Classification top-1 | Rotation R² | Colour R² |
 * MRR | H@1 | H@5 | PRE, mean ± std over seeds, deltas against a baseline run, best per column highlighted
 * (PRE: lowest). Refreshes when an evaluation of the scope changes (the `SocketEvents.evaluation` socket event, through useEvaluationUpdates).
 */
export function EvaluationTableView({ scope, baselineRunId, title = 'Offline evaluations' }: { scope: EvaluationTableScope; baselineRunId?: string | null; title?: string }) {
  // The paper reports every evaluation on the full representation and on both parts: all three side by side by default.
  const [part, setPart] = useState<EvaluationTablePart>('all');
  const query = {
    runIds: scope.runIds,
    sweepId: scope.sweepId,
    projectId: scope.projectId,
    baselineRunId: baselineRunId ?? undefined,
    part,
  };
  const key = JSON.stringify(query);
  const table = useApi<EvaluationTable>(`evaluation-table:${key}`, (signal) => api<EvaluationTable>('/evaluations/table', { query, signal }));
  const rooms = scope.sweepId ? [sweepRoom(scope.sweepId)] : scope.projectId ? [projectRoom(scope.projectId)] : (scope.runIds ?? []).map(runRoom);
  useEvaluationUpdates(rooms, () => table.reload());

  const downloadCsv = () => download('/evaluations/table', { ...query, format: 'csv' }, part === 'all' ? 'evaluations.csv' : `evaluations-${part}.csv`);

  return (
    <section aria-labelledby="evaluations-title" className="mb-6" data-testid="evaluation-table">
      <div className="mb-2 flex flex-wrap items-center gap-2">
        <h2 id="evaluations-title" className="text-base font-semibold">
          {title}
        </h2>
        <label className="text-sm">
          Part{' '}
          <select className={inputClass} value={part} onChange={(e) => setPart(e.target.value as EvaluationTablePart)} data-testid="evaluation-part">
            <option value="all">full, invariant and equivariant side by side</option>
            <option value="full">full representation</option>
            <option value="inv">invariant part</option>
            <option value="equi">equivariant part</option>
          </select>
        </label>
        <button type="button" className={buttonClass} onClick={() => void downloadCsv()}>
          Export CSV
        </button>
      </div>
      {table.error && !table.data ? <ErrorState error={table.error} onRetry={table.reload} /> : null}
      {!table.data && !table.error ? <Loading label="Loading evaluations…" /> : null}
      {table.data ? (
        table.data.rows.length === 0 ? (
          <p className="text-sm text-slate-500">No runs.</p>
        ) : (
          <div className="overflow-x-auto rounded-lg border border-slate-200 dark:border-slate-800">
            <table className="min-w-full text-sm">
              <thead className="bg-slate-50 text-left dark:bg-slate-900">
                <tr>
                  <th className="px-3 py-1.5">Method</th>
                  {table.data.columns.map((c) => (
                    <th key={c.key} className="px-3 py-1.5" data-column={c.key} title={`${c.part} part · ${c.better === 'lower' ? 'lower is better' : 'higher is better'}`}>
                      {c.label} {c.better === 'lower' ? '↓' : '↑'}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {table.data.rows.map((row, index) => (
                  <tr key={row.group} className="border-t border-slate-100 dark:border-slate-800">
                    <td className="px-3 py-1.5">
                      <div className="font-medium">{row.label}</div>
                      <div className="text-xs text-slate-500">
                        {row.runIds.length} run{row.runIds.length === 1 ? '' : 's'} · seeds {row.seeds.join(', ')}
                        {table.data?.baselineRunId && row.runIds.includes(table.data.baselineRunId) ? ' · baseline' : ''}
                      </div>
                    </td>
                    {table.data!.columns.map((c) => (
                      <Cell key={c.key} column={c.key} cell={row.cells[c.key]} best={table.data!.best[c.key] === index} />
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      ) : null}
    </section>
  );
}
