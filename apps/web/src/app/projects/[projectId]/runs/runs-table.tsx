'use client';

import type { Run } from '@equilab/contracts';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import { gridTemplate, type RunColumn } from './runs-columns';
import { sameColumn, type LatestValues, type RunsSort, type SortColumn } from './runs-query';

export const ROW_HEIGHT = 40;

/** Indexes of the first and last row rendered (visible rows plus the overscan). */
export interface RowRange {
  first: number;
  last: number;
}

export interface RunsTableProps {
  runs: readonly Run[];
  columns: readonly RunColumn[];
  sort: RunsSort;
  onSort: (column: SortColumn) => void;
  selected: ReadonlySet<string>;
  onToggle: (runId: string) => void;
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

/** The Runs table: a sortable header and virtualised rows (only the rows on screen are in the DOM). */
export function RunsTable({ runs, columns, sort, onSort, selected, onToggle, latest, onRangeChange }: RunsTableProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: runs.length,
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
    <div ref={scroller} role="table" aria-label="Runs" aria-rowcount={runs.length} className="overflow-auto rounded-lg border border-slate-200 text-sm dark:border-slate-800" style={{ maxHeight: 'calc(100vh - 240px)' }} data-testid="runs-table">
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
            const run = runs[item.index];
            if (!run) return null;
            const isSelected = selected.has(run.id);
            const context = { values: latest.get(run.id), selected: isSelected, toggle: () => onToggle(run.id) };
            return (
              <div
                key={run.id}
                role="row"
                aria-rowindex={item.index + 1}
                data-testid="run-row"
                data-run-id={run.id}
                className={`absolute left-0 grid min-w-full items-center gap-2 border-b border-slate-100 px-2 dark:border-slate-900 ${isSelected ? 'bg-sky-50 dark:bg-sky-950/40' : 'hover:bg-slate-50 dark:hover:bg-slate-900/60'}`}
                style={{ ...grid, height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
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
