import { renderHook, waitFor } from '@testing-library/react';
import { afterEach, expect, test, vi } from 'vitest';
import { setToken } from '@/lib/settings.store';
import { makeRun } from '../../../../../test/fixtures';
import { useRunPages } from './use-run-pages.hook';
import type { ServerQuery } from './runs-query';

// The project room is not what this test is about (socket.io has no server here).
vi.mock('@/lib/socket.client', () => ({ useLive: () => 'live' }));

afterEach(() => vi.unstubAllGlobals());

test('the list asks the API for the tags filtered by, and asks again when they change', async () => {
  setToken('t');
  const tagged = makeRun({ tags: ['a'] });
  const urls: string[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn((url: string) => {
      urls.push(url);
      const items = new URL(url, 'http://localhost').searchParams.get('tags') === 'a' ? [tagged] : [];
      return Promise.resolve(new Response(JSON.stringify({ items, nextCursor: null }), { status: 200, headers: { 'content-type': 'application/json' } }));
    }),
  );
  const base: ServerQuery = { status: [], method: '', sort: '-createdAt' };
  const { result, rerender } = renderHook(({ server }) => useRunPages(tagged.projectId, server, false), { initialProps: { server: { ...base, tags: ['a'] } } });
  await waitFor(() => expect(result.current.loading).toBe(false));
  expect(result.current.runs.map((r) => r.id)).toEqual([tagged.id]);
  expect(new URL(urls[0]!, 'http://localhost').searchParams.get('tags')).toBe('a');

  rerender({ server: { ...base, tags: ['b'] } });
  await waitFor(() => expect(result.current.runs).toEqual([]));
  expect(new URL(urls[urls.length - 1]!, 'http://localhost').searchParams.get('tags')).toBe('b');
});
