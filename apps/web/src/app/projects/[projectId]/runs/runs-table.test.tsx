import { fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { makeRun } from '../../../../../test/fixtures';
import { groupRuns, tableRows } from './run-groups';
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
  const runs = Array.from({ length: 50 }, (_, i) => makeRun({ name: `run ${i}`, status: i === 0 ? 'running' : 'succeeded', sweepParams: { lr: i / 1000 }, step: i === 0 ? 5 : 20, totalSteps: 20 }));
  const props: RunsTableProps = {
    rows: tableRows(runs, null, new Set()),
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
  // One progress notion: steps done out of the total, for a finished run as for a running one.
  expect(within(selected as HTMLElement).getByTestId('progress').textContent).toBe('20 / 20 steps · 100%');
  expect(within(running as HTMLElement).getByTestId('progress').textContent).toMatch(/^5 \/ 20 steps · 25%/);
  const box = within(selected as HTMLElement).getByRole<HTMLInputElement>('checkbox', { name: 'Select run 1' });
  expect(box.checked).toBe(true);
  fireEvent.click(within(running as HTMLElement).getByRole('checkbox'));
  expect(props.onToggle).toHaveBeenCalledWith(runs[0]?.id);
});

test('group rows show count, status summary, mean ± sd and progress; they open to their runs and select them all', () => {
  const a = [0.5, 0.7].map((v, i) => makeRun({ name: `a${i}`, status: 'succeeded', groupKey: 'aaaaaaaaaaaaaaaa', sweepParams: { lr: 0.1, seed: i }, step: 20, totalSteps: 20 }));
  const b = [makeRun({ name: 'b0', status: 'running', groupKey: 'bbbbbbbbbbbbbbbb', sweepParams: { lr: 0.2, seed: 0 }, step: 10, totalSteps: 20 })];
  const runs = [...a, ...b];
  const groups = groupRuns(runs, { kind: 'replicate' });
  const latest = new Map([
    [a[0]!.id, { 'Loss/total': 0.5 }],
    [a[1]!.id, { 'Loss/total': 0.7 }],
  ]);
  const onToggleGroup = vi.fn();
  const onToggleOpen = vi.fn();
  const { rerender } = render(
    <RunsTable rows={tableRows(runs, groups, new Set())} columns={runColumns({ paramKeys: ['lr'], metricKeys: ['Loss/total'] })} sort={DEFAULT_SORT} onSort={vi.fn()} selected={new Set([a[0]!.id])} onToggle={vi.fn()} onToggleGroup={onToggleGroup} onToggleOpen={onToggleOpen} latest={latest} onRangeChange={vi.fn()} />,
  );
  const [first, second] = screen.getAllByTestId<HTMLElement>('group-row');
  expect(screen.queryAllByTestId('run-row')).toHaveLength(0);
  expect(within(first!).getByTestId('group-count').textContent).toBe('2');
  expect(within(first!).getByTestId('group-status').textContent).toBe('2 succeeded');
  expect(first!.querySelector('[data-metric="Loss/total"]')?.textContent).toBe('0.6 ± 0.1414');
  expect(second!.querySelector('[data-metric="Loss/total"]')?.textContent).toBe('—');
  expect(within(first!).getByText('0.1')).toBeTruthy();
  expect(within(first!).getByTestId('progress').textContent).toBe('40 / 40 steps · 100%');
  expect(within(second!).getByTestId('group-status').textContent).toBe('1 running');
  const box = within(first!).getByRole<HTMLInputElement>('checkbox');
  expect(box.indeterminate).toBe(true);
  fireEvent.click(box);
  expect(onToggleGroup).toHaveBeenCalledWith(a);
  fireEvent.click(within(first!).getByTestId('group-toggle'));
  expect(onToggleOpen).toHaveBeenCalledWith('aaaaaaaaaaaaaaaa');

  rerender(
    <RunsTable rows={tableRows(runs, groups, new Set(['aaaaaaaaaaaaaaaa']))} columns={runColumns({ paramKeys: ['lr'], metricKeys: ['Loss/total'] })} sort={DEFAULT_SORT} onSort={vi.fn()} selected={new Set()} onToggle={vi.fn()} latest={latest} onRangeChange={vi.fn()} />,
  );
  const members = screen.getAllByTestId('run-row');
  expect(members.map((r) => r.getAttribute('data-run-id'))).toEqual(a.map((r) => r.id));
  expect(screen.getAllByRole('row').slice(1).map((r) => r.getAttribute('data-testid'))).toEqual(['group-row', 'run-row', 'run-row', 'group-row']);
});
