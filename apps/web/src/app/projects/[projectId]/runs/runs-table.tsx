'use client';

import type { Run } from '@equilab/contracts';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import type { TableRow } from './run-groups';
import { gridTemplate, type RunColumn } from './runs-columns';
import { sameColumn, type LatestValues, type RunsSort, type SortColumn } from './runs-query';

export const ROW_HEIGHT = 40;

/** Indexes of the first and last row rendered (visible rows plus the overscan). */
export interface RowRange {
  first: number;
  last: number;
}

export interface RunsTableProps {
  /** Runs, or group rows each followed by its runs when open (run-groups.ts `tableRows`). */
  rows: readonly TableRow[];
  columns: readonly RunColumn[];
  sort: RunsSort;
  onSort: (column: SortColumn) => void;
  selected: ReadonlySet<string>;
  onToggle: (runId: string) => void;
  /** Selects every run of a group, or unselects them all when all are selected. */
  onToggleGroup?: (runs: readonly Run[]) => void;
  /** Opens or closes a group. */
  onToggleOpen?: (groupId: string) => void;
  latest: LatestValues;
  /** Called when the rendered rows change (scrolling, resizing, a new list). */
  onRangeChange: (range: RowRange) => void;
}

function HeaderCell({ column, sort, onSort }: { column: RunColumn; sort: RunsSort; onSort: (column: SortColumn) => void }) {
  if (column.id === 'select') {
    return (
      <div role="columnheader">
        <span className="sr-only">{column.label}</span>
      </div>
    );
  }
  const by = column.sort;
  if (!by) {
    return (
      <div role="columnheader" className="font-semibold">
        {column.label}
      </div>
    );
  }
  const active = sameColumn(sort.column, by);
  return (
    <div role="columnheader" className="truncate" aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
      <button type="button" onClick={() => onSort(by)} className="max-w-full truncate text-left font-semibold hover:underline" title={column.label}>
        {column.label}
        {active ? (sort.descending ? ' ↓' : ' ↑') : ''}
      </button>
    </div>
  );
}

const rowClass = 'absolute left-0 grid min-w-full items-center gap-2 border-b px-2';

/** The Runs table: a sortable header and virtualised rows (only the rows on screen are in the DOM). */
export function RunsTable({ rows, columns, sort, onSort, selected, onToggle, onToggleGroup, onToggleOpen, latest, onRangeChange }: RunsTableProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getItemKey: (index) => {
      const row = rows[index];
      return row === undefined ? index : row.kind === 'group' ? `group:${row.group.id}` : row.run.id;
    },
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    onChange: (instance) => {
      const items = instance.getVirtualItems();
      onRangeChange({ first: items[0]?.index ?? 0, last: items[items.length - 1]?.index ?? 0 });
    },
  });
  const grid = { gridTemplateColumns: gridTemplate(columns) };

  return (
    <div ref={scroller} role="table" aria-label="Runs" aria-rowcount={rows.length} className="overflow-auto rounded-lg border border-slate-200 text-sm dark:border-slate-800" style={{ maxHeight: 'calc(100vh - 240px)' }} data-testid="runs-table">
      <div role="rowgroup" className="sticky top-0 z-10 min-w-max">
        <div role="row" className="grid min-w-full items-center gap-2 border-b border-slate-200 bg-slate-50 px-2 py-2 text-xs dark:border-slate-800 dark:bg-slate-900" style={grid}>
          {columns.map((column) => (
            <HeaderCell key={column.id} column={column} sort={sort} onSort={onSort} />
          ))}
        </div>
      </div>
      <div role="rowgroup" className="min-w-max">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            const style = { ...grid, height: ROW_HEIGHT, transform: `translateY(${item.start}px)` };
            if (row.kind === 'group') {
              const { group } = row;
              const count = group.runs.filter((r) => selected.has(r.id)).length;
              const context = {
                latest,
                selected: count === 0 ? ('none' as const) : count === group.runs.length ? ('all' as const) : ('some' as const),
                toggle: () => onToggleGroup?.(group.runs),
                open: row.open,
                toggleOpen: () => onToggleOpen?.(group.id),
              };
              return (
                <div key={item.key} role="row" aria-rowindex={item.index + 1} aria-expanded={row.open} data-testid="group-row" data-group-id={group.id} className={`${rowClass} border-slate-200 bg-slate-50/80 dark:border-slate-800 dark:bg-slate-900/70`} style={style}>
                  {columns.map((column) => (
                    <div key={column.id} role="cell" className={column.className} {...column.cellData}>
                      {column.renderGroup?.(group, context) ?? null}
                    </div>
                  ))}
                </div>
              );
            }
            const { run } = row;
            const isSelected = selected.has(run.id);
            const context = { values: latest.get(run.id), selected: isSelected, toggle: () => onToggle(run.id) };
            return (
              <div
                key={item.key}
                role="row"
                aria-rowindex={item.index + 1}
                data-testid="run-row"
                data-run-id={run.id}
                data-grouped={row.grouped ? 'true' : undefined}
                className={`${rowClass} border-slate-100 dark:border-slate-900 ${row.grouped ? 'shadow-[inset_3px_0_0_0_rgb(148_163_184)]' : ''} ${isSelected ? 'bg-sky-50 dark:bg-sky-950/40' : 'hover:bg-slate-50 dark:hover:bg-slate-900/60'}`}
                style={style}
              >
                {columns.map((column) => (
                  <div key={column.id} role="cell" className={column.className} {...column.cellData}>
                    {column.render(run, context)}
                  </div>
                ))}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
