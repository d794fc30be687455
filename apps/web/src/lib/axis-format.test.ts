import { expect, test } from 'vitest';
import { axisSizeFor, formatAxisTicks } from './axis-format';

test('one notation per axis: small ticks are all scientific with the same digits (no "0.0015" beside "5.000e-4")', () => {
  expect(formatAxisTicks([0.0005, 0.001, 0.0015, 0.002])).toEqual(['5.0e-4', '1.0e-3', '1.5e-3', '2.0e-3']);
  expect(formatAxisTicks([0, 0.0002, 0.0004])).toEqual(['0', '2e-4', '4e-4']);
});

test('ordinary ranges get fixed decimals from the tick spacing', () => {
  expect(formatAxisTicks([0, 0.25, 0.5, 0.75, 1])).toEqual(['0.00', '0.25', '0.50', '0.75', '1.00']);
  expect(formatAxisTicks([10, 20, 30])).toEqual(['10', '20', '30']);
  expect(formatAxisTicks([-0.2, 0, 0.2])).toEqual(['-0.2', '0.0', '0.2']);
  expect(formatAxisTicks([1.2, 1.4, 1.6000000000000001])).toEqual(['1.2', '1.4', '1.6']);
});

test('large ticks are scientific; empty and null ticks give empty labels', () => {
  expect(formatAxisTicks([0, 500_000, 1_000_000])).toEqual(['0', '5.0e+5', '1.0e+6']);
  expect(formatAxisTicks([null, 1, 2])).toEqual(['', '1', '2']);
  expect(formatAxisTicks([])).toEqual([]);
});

test('the axis is as wide as its widest label plus the tick and gap', () => {
  expect(axisSizeFor(['1.0e-3', '12.5'], (t) => t.length * 7, 21)).toBe(63);
  expect(axisSizeFor([], (t) => t.length, 21)).toBe(21);
});
