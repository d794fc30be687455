import { describe, expect, test } from 'vitest';
import { colourFor, flatten, formatAge, formatBytes, formatDuration, formatNumber, formatValue, getPath, shortId, SERIES_COLOURS } from './format';

describe('formatNumber', () => {
  test('prints small integers as they are', () => {
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(-42)).toBe('-42');
    expect(formatNumber(999_999)).toBe('999999');
  });
  test('keeps four significant digits without trailing zeros', () => {
    expect(formatNumber(0.123456)).toBe('0.1235');
    expect(formatNumber(1.5)).toBe('1.5');
    expect(formatNumber(12.0001)).toBe('12');
  });
  test('switches to exponent notation for very small and very large values', () => {
    expect(formatNumber(0.0005)).toBe('5.000e-4');
    expect(formatNumber(1_234_567)).toBe('1.235e+6');
    expect(formatNumber(2e6)).toBe('2.000e+6');
  });
  test('names non-finite values', () => {
    expect(formatNumber(Number.NaN)).toBe('NaN');
    expect(formatNumber(Number.POSITIVE_INFINITY)).toBe('Infinity');
  });
});

test('formatValue shows a dash for missing values and JSON for objects', () => {
  expect(formatValue(undefined)).toBe('—');
  expect(formatValue(null)).toBe('—');
  expect(formatValue('adam')).toBe('adam');
  expect(formatValue(false)).toBe('false');
  expect(formatValue(0.25)).toBe('0.25');
  expect(formatValue([1, 2])).toBe('[1,2]');
});

test('formatDuration picks the two largest units', () => {
  expect(formatDuration(null)).toBe('—');
  expect(formatDuration(Number.NaN)).toBe('—');
  expect(formatDuration(-3)).toBe('0s');
  expect(formatDuration(59.6)).toBe('1m 0s');
  expect(formatDuration(125)).toBe('2m 5s');
  expect(formatDuration(3 * 3600 + 7 * 60 + 9)).toBe('3h 7m');
});

test('formatAge counts from the time given', () => {
  const now = Date.parse('2026-01-01T00:01:30.000Z');
  expect(formatAge('2026-01-01T00:00:00.000Z', now)).toBe('1m 30s ago');
  expect(formatAge(null, now)).toBe('—');
});

test('formatBytes uses binary units', () => {
  expect(formatBytes(512)).toBe('512 B');
  expect(formatBytes(1536)).toBe('1.5 KiB');
  expect(formatBytes(5 * 1024 ** 3)).toBe('5.0 GiB');
  expect(formatBytes(3 * 1024 ** 5)).toBe('3072.0 TiB');
});

test('shortId keeps the first eight characters', () => {
  expect(shortId('0137048b-7d75-4daa-accc-b7438b07abd3')).toBe('0137048b');
});

test('getPath reads dotted paths and stops at non-objects', () => {
  const config = { optimizer: { lr: 0.1, betas: [0.9, 0.99] }, epochs: 3 };
  expect(getPath(config, 'optimizer.lr')).toBe(0.1);
  expect(getPath(config, 'epochs.value')).toBeUndefined();
  expect(getPath(config, 'missing.path')).toBeUndefined();
});

test('flatten turns a nested config into dotted leaves, arrays and empty objects included', () => {
  expect(flatten({ a: 1, b: { c: 'x', d: [1, 2], e: {} } })).toEqual({ a: 1, 'b.c': 'x', 'b.d': [1, 2], 'b.e': {} });
  expect(flatten({})).toEqual({});
});

test('colourFor cycles through the palette', () => {
  expect(colourFor(0)).toBe(SERIES_COLOURS[0]);
  expect(colourFor(SERIES_COLOURS.length + 2)).toBe(SERIES_COLOURS[2]);
});
