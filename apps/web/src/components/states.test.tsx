import { fireEvent, render, screen } from '@testing-library/react';
import { expect, test, vi } from 'vitest';
import { ApiError } from '@/lib/api.client';
import { Async } from './states';

const show = (data: string) => <p>content {data}</p>;

test('content wins over an error (a failed reload keeps what was shown)', () => {
  render(<Async state={{ data: 'x', error: new Error('boom'), reload: vi.fn() }}>{show}</Async>);
  expect(screen.getByText('content x')).toBeTruthy();
  expect(screen.queryByRole('alert')).toBeNull();
});

test('an error without data is shown with a Retry button', () => {
  const reload = vi.fn();
  render(<Async state={{ data: undefined, error: new ApiError(401, 'unauthorized', 'bad token'), reload }}>{show}</Async>);
  expect(screen.getByRole('alert').textContent).toContain('bad token');
  expect(screen.getByRole('alert').textContent).toContain('API token');
  fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
  expect(reload).toHaveBeenCalledOnce();
});

test('a 404 shows the not-found content when given, the error otherwise', () => {
  const state = { data: undefined, error: new ApiError(404, 'not_found', 'no such run'), reload: vi.fn() };
  const { unmount } = render(
    <Async state={state} notFound={<p>Run not found</p>}>
      {show}
    </Async>,
  );
  expect(screen.getByText('Run not found')).toBeTruthy();
  unmount();
  render(<Async state={state}>{show}</Async>);
  expect(screen.getByRole('alert').textContent).toContain('no such run');
});

test('loading until data or an error arrives', () => {
  render(
    <Async state={{ data: undefined, error: undefined, reload: vi.fn() }} loadingLabel="Loading runs…">
      {show}
    </Async>,
  );
  expect(screen.getByRole('status').textContent).toBe('Loading runs…');
});
