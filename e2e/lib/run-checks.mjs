// What the platform tests check about a run through the API: waiting for a state, the stored series, spill files.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { waitFor } from './stack.mjs';

/** The metric key the tests follow (every training step logs it). */
export const LOSS = 'Loss/Total loss';
export const TERMINAL = ['succeeded', 'failed', 'canceled'];

/**
 * Polls `GET /runs/:id` through `api` (an apiClient) until `check(run)` holds; fails at once when the run ends in
 * another terminal state. Resolves to the run.
 */
export async function waitRun(api, runId, what, check, timeout = 180_000) {
  const result = await waitFor(`run ${runId} ${what}`, async () => {
    const run = await api(`/runs/${runId}`);
    if (check(run)) return { run };
    if (TERMINAL.includes(run.status)) return { ended: run };
    return false;
  }, { timeout, interval: 300 });
  if (result.ended) assert.fail(`run ${runId} ended ${result.ended.status} while waiting ${what}: ${result.ended.error ?? ''}`);
  return result.run;
}

/** Raw stored rows of one key, by step, from the API at `apiUrl` (the JSON-lines export streams every row). */
export async function storedRows(apiUrl, token, runId, key = LOSS) {
  const response = await fetch(`${apiUrl}/api/runs/${runId}/metrics/export?format=jsonl&keys=${encodeURIComponent(key)}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(response.status, 200);
  const text = await response.text();
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line)).sort((x, y) => x.step - y.step);
}

/** Every step 0..total-1 stored exactly once. */
export function assertContiguous(rows, total, what) {
  assert.deepEqual(rows.map((row) => row.step), Array.from({ length: total }, (_, i) => i), `${what}: steps of ${LOSS}`);
}

/** Files under `dir` (recursively), [] when it does not exist. */
export async function filesUnder(dir) {
  try {
    return (await readdir(dir, { recursive: true, withFileTypes: true })).filter((d) => d.isFile());
  } catch {
    return [];
  }
}
