import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Prng, deriveSeed } from './prng';

void test('Prng is deterministic and seed-dependent', () => {
  const a = new Prng(42);
  const b = new Prng(42);
  const c = new Prng(43);
  const sa = Array.from({ length: 8 }, () => a.next());
  assert.deepEqual(sa, Array.from({ length: 8 }, () => b.next()));
  assert.notDeepEqual(sa, Array.from({ length: 8 }, () => c.next()));
  for (const v of sa) assert.ok(v >= 0 && v < 1);
});

void test('distinctPair never returns equal indices and covers all pairs', () => {
  const rng = new Prng(7);
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const [a, b] = rng.distinctPair(4);
    assert.notEqual(a, b);
    assert.ok(a >= 0 && a < 4 && b >= 0 && b < 4);
    seen.add(`${a},${b}`);
  }
  assert.equal(seen.size, 12);
});

void test('shuffle is a permutation; deriveSeed separates streams', () => {
  const xs = new Prng(1).shuffle(Array.from({ length: 100 }, (_, i) => i));
  assert.deepEqual([...xs].sort((p, q) => p - q), Array.from({ length: 100 }, (_, i) => i));
  assert.notDeepEqual(xs, Array.from({ length: 100 }, (_, i) => i));
  assert.equal(deriveSeed(1, 2, 3), deriveSeed(1, 2, 3));
  assert.notEqual(deriveSeed(1, 2, 3), deriveSeed(1, 3, 2));
  assert.notEqual(deriveSeed(0, 0), deriveSeed(0, 1));
});
