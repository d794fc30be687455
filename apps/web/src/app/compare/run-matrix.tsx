import type { RunDetail } from '@equilab/contracts';
import type { ReactNode } from 'react';
import { colourFor } from '@/lib/format';

export interface MatrixCell {
  content: ReactNode;
  className?: string;
  /** Marks the best value of its row (`data-best`). */
  best?: boolean;
}

/**
 * A table with one row per key (a config field, a metric) and one column per run, headed by the run's name in
 * its chart colour: the Compare page's config differences and metric values.
 */
export function RunMatrix({
  runs,
  corner,
  rowKeys,
  cell,
  align = 'left',
  runSuffix,
  stickyHeader = false,
  rowData,
  testId,
}: {
  runs: readonly RunDetail[];
  /** The header of the key column. */
  corner: string;
  rowKeys: readonly string[];
  cell: (key: string, run: RunDetail, index: number) => MatrixCell;
  align?: 'left' | 'right';
  /** Text after a run's name in its header (e.g. " (baseline)"). */
  runSuffix?: (run: RunDetail) => string;
  stickyHeader?: boolean;
  /** `data-field` of each row. */
  rowData?: boolean;
  testId: string;
}) {
  const alignClass = align === 'right' ? 'text-right' : 'text-left';
  return (
    <table className="w-full text-xs" data-testid={testId}>
      <thead className={stickyHeader ? 'sticky top-0 bg-white dark:bg-slate-950' : undefined}>
        <tr>
          <th scope="col" className="py-1 pr-2 text-left">
            {corner}
          </th>
          {runs.map((run, index) => (
            <th key={run.id} scope="col" className={`py-1 pr-2 ${alignClass}`} style={{ color: colourFor(index) }}>
              {run.name}
              {runSuffix?.(run)}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rowKeys.map((key) => (
          <tr key={key} className="border-t border-slate-100 dark:border-slate-800" data-field={rowData ? key : undefined}>
            <th scope="row" className="py-1 pr-2 text-left font-mono font-normal">
              {key}
            </th>
            {runs.map((run, index) => {
              const { content, className = '', best = false } = cell(key, run, index);
              return (
                <td key={run.id} className={`py-1 pr-2 font-mono ${className}`} data-best={best ? 'true' : undefined}>
                  {content}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
