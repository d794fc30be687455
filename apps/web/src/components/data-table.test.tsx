import { render, screen, within } from '@testing-library/react';
import { expect, test } from 'vitest';
import { DataTable, linkColumn, statusColumn, type TableColumn } from './data-table';

interface Row {
  id: string;
  name: string;
  status: string;
  size: number;
}

const columns: TableColumn<Row>[] = [linkColumn('name', 'Name', (r) => `/things/${r.id}`), statusColumn(), { key: 'size', header: 'Size', className: 'tabular-nums', cell: (r) => r.size }];

test('a header per column and a row per item, with the row attributes asked for', () => {
  const rows: Row[] = [
    { id: 'a', name: 'first', status: 'running', size: 3 },
    { id: 'b', name: 'second', status: 'failed', size: 5 },
  ];
  render(<DataTable columns={columns} rows={rows} rowKey={(r) => r.id} rowAttributes={(r) => ({ 'data-run-id': r.id, title: undefined })} testId="things" />);
  const table = screen.getByTestId('things');
  expect(within(table).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Name', 'Status', 'Size']);
  const bodyRows = within(table).getAllByRole('row').slice(1);
  expect(bodyRows.map((r) => r.getAttribute('data-run-id'))).toEqual(['a', 'b']);
  expect(within(bodyRows[1] as HTMLElement).getByRole('link', { name: 'second' }).getAttribute('href')).toBe('/things/b');
  expect((bodyRows[1] as HTMLElement).querySelector('[data-testid="status"]')?.getAttribute('data-status')).toBe('failed');
  expect(within(bodyRows[0] as HTMLElement).getAllByRole('cell')[2]?.textContent).toBe('3');
});
