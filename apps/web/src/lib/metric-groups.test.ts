import { expect, test } from 'vitest';
import { groupMetricKeys, isRankable, lowerIsBetter } from './metric-groups';

test('groups keys by the reference tag prefixes in display order, others last', () => {
  const groups = groupMetricKeys(['General/lr', 'Loss/total', 'extra/R2', 'Stats/std', 'Loss/cov', 'Online eval reprs/Top-1']);
  expect(groups).toEqual([
    { name: 'Loss', keys: ['Loss/cov', 'Loss/total'] },
    { name: 'Stats', keys: ['Stats/std'] },
    { name: 'Online eval reprs', keys: ['Online eval reprs/Top-1'] },
    { name: 'General', keys: ['General/lr'] },
    { name: 'Other', keys: ['extra/R2'] },
  ]);
});

test('no keys, no groups', () => {
  expect(groupMetricKeys([])).toEqual([]);
});

test('losses and errors are lower-is-better; accuracies and R² are not', () => {
  expect(lowerIsBetter('Loss/Invariance loss')).toBe(true);
  expect(lowerIsBetter('Online eval reprs/CE representations')).toBe(true);
  expect(lowerIsBetter('Online eval reprs/MSE representations')).toBe(true);
  expect(lowerIsBetter('Online eval reprs/Top-1 representations')).toBe(false);
  expect(lowerIsBetter('Online eval reprs/R2 representations')).toBe(false);
});

test('bookkeeping series have no best value', () => {
  expect(isRankable('General/epoch')).toBe(false);
  expect(isRankable('Loss/total')).toBe(true);
});
