import type { ReactNode } from 'react';

export interface KeyValueRow {
  key: string;
  value: ReactNode;
  /** A third, muted cell (e.g. the step of a value). */
  note?: ReactNode;
  /** Bold row (e.g. a varied sweep parameter). */
  emphasis?: boolean;
}

/** Rows of a monospace key (the row header) and its value, right-aligned: a run's config, its latest values. */
export function KeyValueTable({ rows, valueClassName = '', testId }: { rows: readonly KeyValueRow[]; valueClassName?: string; testId?: string }) {
  return (
    <table className="w-full text-xs" data-testid={testId}>
      <tbody>
        {rows.map((row) => (
          <tr key={row.key} className={`border-t border-slate-100 dark:border-slate-800 ${row.emphasis ? 'font-semibold' : ''}`}>
            <th scope="row" className="py-1 pr-2 text-left font-mono font-normal text-slate-500">
              {row.key}
            </th>
            <td className={`py-1 text-right font-mono ${valueClassName}`}>{row.value}</td>
            {row.note !== undefined ? <td className="py-1 pl-2 text-right text-slate-400 tabular-nums">{row.note}</td> : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
