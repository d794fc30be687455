'use client';

import { projectRoom, type Run, type RunList, type RunStatus } from '@equilab/contracts';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api } from '@/lib/api.client';
import { upsertRun } from '@/lib/run-merge';
import { useToken } from '@/lib/settings.store';
import { useLive, type LiveStatus } from '@/lib/socket.client';
import { belongsAtTop, type ServerQuery } from './runs-query';

/** The first page is small (fast first paint); later pages are the API's maximum. */
export const FIRST_PAGE = 100;
export const PAGE_SIZE = 500;

export interface RunPages {
  runs: readonly Run[];
  /** Every page of the query is loaded. */
  complete: boolean;
  /** The first page of the current query has not arrived yet (the previous query's runs stay shown). */
  loading: boolean;
  error: Error | null;
  retry: () => void;
  /** Loads the next page unless one is loading or none is left. */
  loadMore: () => void;
  live: LiveStatus;
}

interface PagesState {
  /** The query these pages belong to. */
  key: string;
  runs: readonly Run[];
  cursor: string | null;
  error: Error | null;
}

function fetchPage(projectId: string, server: ServerQuery, after: string | null, signal?: AbortSignal): Promise<RunList> {
  return api<RunList>('/runs', {
    query: { projectId, status: server.status, method: server.method || undefined, tags: server.tags ?? [], sort: server.sort, limit: after === null ? FIRST_PAGE : PAGE_SIZE, cursor: after },
    signal,
  });
}

/**
 * The runs of a project for a server-side query, page by page (cursor pagination), kept current by the
 * project room's `run` events: a listed run is merged, a new one is put first when it matches and the list is
 * newest first. `everyPage` keeps loading until the last page (for searches and browser-side sorts).
 */
export function useRunPages(projectId: string, server: ServerQuery, everyPage: boolean): RunPages {
  const token = useToken();
  const [generation, setGeneration] = useState(0);
  const statusKey = server.status.join(',');
  // Tags are part of the query (a tag filter was dropped here: the URL and the export had it, the list did not).
  const tagsKey = (server.tags ?? []).join(',');
  const { method, sort } = server;
  const query = useMemo<ServerQuery>(
    () => ({ status: statusKey === '' ? [] : (statusKey.split(',') as RunStatus[]), method, sort, tags: tagsKey === '' ? [] : tagsKey.split(',') }),
    [statusKey, method, sort, tagsKey],
  );
  const key = `${projectId}|${statusKey}|${method}|${sort}|${tagsKey}|${generation}`;
  const [state, setState] = useState<PagesState>({ key: '', runs: [], cursor: null, error: null });
  const loadingMore = useRef(false);

  useEffect(() => {
    if (token === undefined) return undefined;
    const controller = new AbortController();
    fetchPage(projectId, query, null, controller.signal).then(
      (page) => setState({ key, runs: page.items, cursor: page.nextCursor, error: null }),
      (reason: unknown) => {
        if (!controller.signal.aborted) setState((previous) => ({ ...previous, key, cursor: null, error: reason instanceof Error ? reason : new Error(String(reason)) }));
      },
    );
    return () => controller.abort();
  }, [key, token, projectId, query]);

  const current = state.key === key;
  const complete = current && state.cursor === null && state.error === null;

  const loadMore = useCallback(() => {
    const cursor = state.cursor;
    if (!current || cursor === null || loadingMore.current) return;
    loadingMore.current = true;
    fetchPage(projectId, query, cursor)
      .then((page) =>
        setState((previous) => {
          if (previous.key !== key || previous.cursor !== cursor) return previous;
          const seen = new Set(previous.runs.map((r) => r.id));
          return { ...previous, runs: [...previous.runs, ...page.items.filter((r) => !seen.has(r.id))], cursor: page.nextCursor };
        }),
      )
      .catch((reason: unknown) => setState((previous) => (previous.key === key ? { ...previous, error: reason instanceof Error ? reason : new Error(String(reason)) } : previous)))
      .finally(() => {
        loadingMore.current = false;
      });
  }, [current, state.cursor, projectId, query, key]);

  // A failed page is not retried by itself (the error is shown with a Retry button).
  const failed = state.error !== null;
  useEffect(() => {
    if (everyPage && current && !failed && state.cursor !== null) loadMore();
  }, [everyPage, current, failed, state.cursor, loadMore]);

  const live = useLive([projectRoom(projectId)], {
    run: ({ run }) => setState((previous) => ({ ...previous, runs: upsertRun(previous.runs, run, belongsAtTop(run, query) ? 'first' : 'skip') })),
  });

  const retry = useCallback(() => setGeneration((g) => g + 1), []);
  return { runs: state.runs, complete, loading: !current, error: current ? state.error : null, retry, loadMore, live };
}
