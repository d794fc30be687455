import { act, renderHook, waitFor } from '@testing-library/react';
import { expect, test } from 'vitest';
import { setToken } from './settings.store';
import { useApi } from './use-api.hook';

/** A load the test settles by hand. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Resolves (or, given an error, rejects) a load and waits until it has settled. */
function settle<T>(load: ReturnType<typeof deferred<T>> | undefined, outcome: T | Error): Promise<unknown> {
  if (!load) throw new Error('no such load');
  if (outcome instanceof Error) load.reject(outcome);
  else load.resolve(outcome);
  return load.promise.catch(() => undefined);
}

test('loads, keeps the data through a failed reload, and clears the error on the next success', async () => {
  setToken('t');
  const loads = [deferred<string>(), deferred<string>(), deferred<string>()];
  let call = 0;
  const { result } = renderHook(() => useApi<string>('thing', () => (loads[call++] as ReturnType<typeof deferred<string>>).promise));
  expect(result.current.loading).toBe(true);
  await act(() => settle(loads[0], 'first'));
  expect(result.current).toMatchObject({ data: 'first', loading: false, error: undefined });

  act(() => result.current.reload());
  expect(result.current).toMatchObject({ data: 'first', loading: true });
  await act(() => settle(loads[1], new Error('down')));
  expect(result.current).toMatchObject({ data: 'first', loading: false });
  expect(result.current.error?.message).toBe('down');

  act(() => result.current.reload());
  await act(() => settle(loads[2], 'third'));
  expect(result.current).toMatchObject({ data: 'third', error: undefined, loading: false });
  expect(call).toBe(3);
});

test('no key, no request and not loading; setData edits what is shown', async () => {
  setToken('t');
  let calls = 0;
  const { result, rerender } = renderHook(({ id }: { id: string | null }) => useApi<number>(id, () => Promise.resolve(++calls)), { initialProps: { id: null as string | null } });
  expect(result.current.loading).toBe(false);
  expect(calls).toBe(0);
  rerender({ id: 'a' });
  await waitFor(() => expect(result.current.data).toBe(1));
  act(() => result.current.setData((n) => (n ?? 0) + 10));
  expect(result.current.data).toBe(11);
});

test('a stale answer for a previous key is never shown', async () => {
  setToken('t');
  const slow = deferred<string>();
  const { result, rerender } = renderHook(({ id }: { id: string }) => useApi<string>(id, () => (id === 'old' ? slow.promise : Promise.resolve('new'))), { initialProps: { id: 'old' } });
  rerender({ id: 'new' });
  await waitFor(() => expect(result.current.data).toBe('new'));
  await act(() => settle(slow, 'old'));
  expect(result.current.data).toBe('new');
});
