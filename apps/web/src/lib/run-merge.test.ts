import { expect, test } from 'vitest';
import { makeRun } from '../../test/fixtures';
import { mergeRun, upsertRun } from './run-merge';

test('a newer event of the same attempt is applied', () => {
  const shown = makeRun({ status: 'running', step: 5 });
  expect(mergeRun(shown, { ...shown, step: 7 }).step).toBe(7);
});

test('a stale running event never undoes a cancel', () => {
  const canceled = makeRun({ status: 'canceled', step: 5 });
  expect(mergeRun(canceled, { ...canceled, status: 'running', step: 6 })).toBe(canceled);
});

test('progress never goes backwards within an attempt', () => {
  const shown = makeRun({ status: 'running', step: 9 });
  expect(mergeRun(shown, { ...shown, step: 4 })).toBe(shown);
});

test('a retry wins over a finished attempt, an older attempt never does', () => {
  const failed = makeRun({ status: 'failed', attempt: 1, step: 9 });
  const retried = mergeRun(failed, { ...failed, status: 'queued', attempt: 2, step: null });
  expect(retried.status).toBe('queued');
  expect(retried.attempt).toBe(2);
  expect(mergeRun(retried, { ...failed })).toBe(retried);
});

test('fields the event does not carry are kept (run detail extras)', () => {
  const detail = { ...makeRun({ status: 'running' }), latestMetrics: { 'Loss/total': { value: 1, step: 1 } } };
  const merged = mergeRun(detail, { ...makeRun({ id: detail.id, status: 'succeeded' }) });
  expect(merged.status).toBe('succeeded');
  expect(merged.latestMetrics).toEqual(detail.latestMetrics);
});

test('upsertRun merges a listed run in place and places an unknown one as asked', () => {
  const a = makeRun({ status: 'running', step: 1 });
  const b = makeRun();
  const list = [a, b];
  const moved = upsertRun(list, { ...a, step: 2 }, 'skip');
  expect(moved.map((r) => r.step)).toEqual([2, null]);
  expect(list[0]?.step).toBe(1);
  // A stale event changes nothing, not even the list's identity.
  expect(upsertRun(moved, { ...a, step: 1 }, 'first')).toBe(moved);
  const c = makeRun();
  expect(upsertRun(list, c, 'first').map((r) => r.id)).toEqual([c.id, a.id, b.id]);
  expect(upsertRun(list, c, 'last').map((r) => r.id)).toEqual([a.id, b.id, c.id]);
  expect(upsertRun(list, c, 'skip')).toBe(list);
});
