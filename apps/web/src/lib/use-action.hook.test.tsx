import { act, renderHook } from '@testing-library/react';
import { expect, test } from 'vitest';
import { useAction } from './use-action.hook';

test('busy while the action runs; a failure becomes the error until the next action', async () => {
  const { result } = renderHook(() => useAction());
  let finish!: () => void;
  act(() => result.current.run(() => new Promise<void>((resolve) => (finish = resolve))));
  expect(result.current.busy).toBe(true);
  await act(() => {
    finish();
    return Promise.resolve();
  });
  expect(result.current).toMatchObject({ busy: false, error: null });

  await act(() => {
    result.current.run(() => Promise.reject(new Error('409 conflict')));
    return Promise.resolve();
  });
  expect(result.current.busy).toBe(false);
  expect(result.current.error?.message).toBe('409 conflict');
  act(() => result.current.run(() => new Promise<void>(() => undefined)));
  expect(result.current.error).toBeNull();
});
