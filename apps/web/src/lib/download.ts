'use client';

import { ApiError, buildQuery } from './api.client';
import { getToken } from './settings.store';

type Query = Parameters<typeof buildQuery>[0];

/**
 * Downloads `/api<path>?query` as a file named `filename` (the token goes in the Authorization header, never in a
 * URL, so the file is fetched and handed to the browser as a blob). Throws ApiError on an error response.
 */
export async function download(path: string, query: Query, filename: string): Promise<void> {
  const token = getToken();
  const response = await fetch(`/api${path}${buildQuery(query)}`, { headers: token ? { authorization: `Bearer ${token}` } : {}, cache: 'no-store' });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
    throw new ApiError(response.status, body?.error?.code ?? 'http', body?.error?.message ?? response.statusText);
  }
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
