import { expect, test } from 'vitest';
import { buildQuery } from './api.client';

test('buildQuery drops empty values and joins lists with commas', () => {
  expect(buildQuery(undefined)).toBe('');
  expect(buildQuery({ a: undefined, b: null, c: '', d: [] })).toBe('');
  expect(buildQuery({ status: ['running', 'failed'], limit: 100, live: true, method: 'SIE' })).toBe('?status=running%2Cfailed&limit=100&live=true&method=SIE');
});
