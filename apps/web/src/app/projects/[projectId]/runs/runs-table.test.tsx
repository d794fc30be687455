import { fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { makeRun } from '../../../../../test/fixtures';
import { runColumns } from './runs-columns';
import { DEFAULT_SORT } from './runs-query';
import { ROW_HEIGHT, RunsTable, type RunsTableProps } from './runs-table';

const VIEWPORT = 10 * ROW_HEIGHT;

// jsdom lays nothing out: give the scroller a height so the virtualiser has rows to show.
beforeEach(() => {
  vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(VIEWPORT);
  vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(1200);
});
afterEach(() => vi.restoreAllMocks());

function renderTable(overrides: Partial<RunsTableProps> = {}) {
  const runs = Array.from({ length: 50 }, (_, i) => makeRun({ name: `run ${i}`, status: i === 0 ? 'running' : 'succeeded', sweepParams: { lr: i / 1000 } }));
  const props: RunsTableProps = {
    runs,
    columns: runColumns({ paramKeys: ['lr'], metricKeys: ['Loss/total'] }),
    sort: DEFAULT_SORT,
    onSort: vi.fn(),
    selected: new Set([runs[1]?.id ?? '']),
    onToggle: vi.fn(),
    latest: new Map([[runs[1]?.id ?? '', { 'Loss/total': 0.000123 }]]),
    onRangeChange: vi.fn(),
    ...overrides,
  };
  render(<RunsTable {...props} />);
  return { props, runs };
}

test('the header lists the columns, marks the sorted one and sorts on click', () => {
  const { props } = renderTable();
  const headers = screen.getAllByRole('columnheader');
  expect(headers.map((h) => h.textContent)).toEqual(['Select', 'Name', 'Status', 'Method', 'Tags', 'lr', 'Loss/total', 'Progress', 'Created ↓']);
  expect(headers[8]?.getAttribute('aria-sort')).toBe('descending');
  expect(headers[1]?.getAttribute('aria-sort')).toBe('none');
  // Method and Progress are not sortable.
  expect(within(headers[3] as HTMLElement).queryByRole('button')).toBeNull();
  fireEvent.click(within(headers[5] as HTMLElement).getByRole('button'));
  expect(props.onSort).toHaveBeenCalledWith({ kind: 'param', key: 'lr' });
});

test('only the rows on screen (and the overscan) are in the DOM, and the range is reported', () => {
  const { props } = renderTable();
  const rows = screen.getAllByTestId('run-row');
  expect(rows.length).toBeGreaterThan(10);
  expect(rows.length).toBeLessThan(50);
  expect(props.onRangeChange).toHaveBeenLastCalledWith({ first: 0, last: rows.length - 1 });
});

test('cells show the run: link, parameters, latest metric values, progress; selection toggles', () => {
  const { props, runs } = renderTable();
  const [running, selected] = screen.getAllByTestId('run-row');
  expect(within(selected as HTMLElement).getByRole('link', { name: 'run 1' }).getAttribute('href')).toBe(`/runs/${runs[1]?.id}`);
  expect(within(selected as HTMLElement).getByText('0.001')).toBeTruthy();
  expect((selected as HTMLElement).querySelector('[data-metric="Loss/total"]')?.textContent).toBe('1.230e-4');
  expect((running as HTMLElement).querySelector('[data-metric="Loss/total"]')?.textContent).toBe('—');
  expect(within(selected as HTMLElement).getByText('100%')).toBeTruthy();
  const box = within(selected as HTMLElement).getByRole<HTMLInputElement>('checkbox', { name: 'Select run 1' });
  expect(box.checked).toBe(true);
  fireEvent.click(within(running as HTMLElement).getByRole('checkbox'));
  expect(props.onToggle).toHaveBeenCalledWith(runs[0]?.id);
});
