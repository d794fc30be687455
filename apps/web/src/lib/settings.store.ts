'use client';

import { useSyncExternalStore } from 'react';

/** The API token lives in localStorage only (never in URLs or cookies). */
const TOKEN_KEY = 'equilab.token';
const PROJECT_KEY = 'equilab.projectId';

type Listener = () => void;
const listeners = new Set<Listener>();

function read(key: string): string | null {
  if (typeof window === 'undefined') return null;
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string | null): void {
  if (value === null || value === '') window.localStorage.removeItem(key);
  else window.localStorage.setItem(key, value);
  for (const listener of listeners) listener();
}

function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  const onStorage = (event: StorageEvent) => {
    if (event.key === TOKEN_KEY || event.key === PROJECT_KEY) listener();
  };
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

export const getToken = (): string | null => read(TOKEN_KEY);
export const setToken = (token: string | null): void => write(TOKEN_KEY, token?.trim() ?? null);
export const getProjectId = (): string | null => read(PROJECT_KEY);
export const setProjectId = (id: string | null): void => write(PROJECT_KEY, id);

/** `undefined` during server rendering / before hydration, then the stored value (or null). */
export function useToken(): string | null | undefined {
  return useSyncExternalStore(subscribe, getToken, () => undefined);
}

export function useStoredProjectId(): string | null | undefined {
  return useSyncExternalStore(subscribe, getProjectId, () => undefined);
}

/** Any other dashboard setting kept in localStorage as text (e.g. a project's chart layout), under `equilab.<name>`. */
export const getSetting = (name: string): string | null => read(`equilab.${name}`);
export const setSetting = (name: string, value: string | null): void => write(`equilab.${name}`, value);

/** `undefined` before hydration, then the stored text (or null), following `setSetting` in this tab. */
export function useSetting(name: string): string | null | undefined {
  return useSyncExternalStore(
    subscribe,
    () => getSetting(name),
    () => undefined,
  );
}
