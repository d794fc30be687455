import Link from 'next/link';
import type { ReactNode } from 'react';
import { StatusBadge } from './status-badge';

/** One column of a `DataTable`: its header and how a row shows in it. */
export interface TableColumn<T> {
  key: string;
  header: ReactNode;
  cell: (row: T) => ReactNode;
  /** Classes of this column's cells, besides the table's padding. */
  className?: string;
  headerClassName?: string;
}

/** `compact`: small print (job lists); `normal`: the default; `padded`: a table inside a flush panel. */
export type TableDensity = 'compact' | 'normal' | 'padded';

const STYLES: Record<TableDensity, { table: string; head: string; th: string; td: string }> = {
  compact: { table: 'w-full text-xs', head: 'text-left text-slate-500', th: 'py-1 pr-2', td: 'py-1 pr-2' },
  normal: { table: 'w-full text-sm', head: 'text-left text-xs text-slate-500', th: 'py-2 pr-3', td: 'py-1.5 pr-3' },
  padded: { table: 'w-full text-sm', head: 'text-left text-xs text-slate-500', th: 'px-3 py-2', td: 'px-3 py-1.5' },
};

/** A plain table of rows (no virtualisation): header cells `scope="col"`, rows separated by a rule. */
export function DataTable<T>({
  columns,
  rows,
  rowKey,
  rowAttributes,
  density = 'normal',
  testId,
}: {
  columns: readonly TableColumn<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  /** Extra attributes of a row (`data-run-id`, `title`). */
  rowAttributes?: (row: T) => Readonly<Record<string, string | undefined>>;
  density?: TableDensity;
  testId?: string;
}) {
  const style = STYLES[density];
  return (
    <table className={style.table} data-testid={testId}>
      <thead className={style.head}>
        <tr>
          {columns.map((column) => (
            <th key={column.key} scope="col" className={`${style.th} ${column.headerClassName ?? ''}`}>
              {column.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={rowKey(row)} className="border-t border-slate-100 dark:border-slate-800" {...rowAttributes?.(row)}>
            {columns.map((column) => (
              <td key={column.key} className={`${style.td} ${column.className ?? ''}`}>
                {column.cell(row)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A column of names, each a link to its row's page. */
export function linkColumn<T extends { name: string }>(key: string, header: string, href: (row: T) => string): TableColumn<T> {
  return {
    key,
    header,
    cell: (row) => (
      <Link href={href(row)} className="text-sky-700 hover:underline dark:text-sky-400">
        {row.name}
      </Link>
    ),
  };
}

/** A column of status badges. */
export function statusColumn<T extends { status: string }>(): TableColumn<T> {
  return { key: 'status', header: 'Status', cell: (row) => <StatusBadge status={row.status} /> };
}
