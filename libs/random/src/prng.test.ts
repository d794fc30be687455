import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Prng, deriveSeed, mulberry32 } from './index';

// Outputs of the five generators this package replaced (libs/data Prng, libs/sie TrainRng / SeedStream /
// randomArray, the API's sweep mulberry32), recorded before the switch: the sequences must never change.
void test('mulberry32 floats, uint32s, shuffles and pairs are pinned', () => {
  const p = new Prng(42);
  assert.deepEqual(
    Array.from({ length: 5 }, () => p.next()),
    [0.6011037519201636, 0.44829055899754167, 0.8524657934904099, 0.6697340414393693, 0.17481389874592423],
  );
  const f = mulberry32(42);
  assert.deepEqual(
    Array.from({ length: 2 }, () => f()),
    [0.6011037519201636, 0.44829055899754167],
  );
  const q = new Prng(0xdeadbeef);
  assert.deepEqual(
    Array.from({ length: 5 }, () => q.uint32()),
    [4043151706, 1147597007, 3315858022, 1538288752, 2042435954],
  );
  assert.equal(new Prng(0xdeadbeef).nextUint32(), 4043151706);
  assert.deepEqual(new Prng(1).shuffle(Array.from({ length: 10 }, (_, i) => i)), [7, 8, 3, 2, 1, 5, 9, 4, 0, 6]);
  const r = new Prng(7);
  assert.deepEqual(
    Array.from({ length: 4 }, () => r.distinctPair(5)),
    [
      [0, 1],
      [4, 2],
      [2, 1],
      [2, 0],
    ],
  );
});

void test('nextSeed is the trainer stream of today (seeds of backbone, heads, evaluator) and its state resumes', () => {
  const t = new Prng(4 ^ 0x7a1e5eed);
  assert.deepEqual(
    Array.from({ length: 5 }, () => t.nextSeed()),
    [436306611, 1976730953, 1797484420, 623051969, 1116704151],
  );
  assert.equal(t.state, 2616705202);
  const resumed = new Prng(0);
  resumed.state = t.state;
  assert.equal(resumed.next(), t.next());
});

void test('deriveSeed is pinned and order-sensitive', () => {
  assert.deepEqual(
    [deriveSeed(1, 2, 3), deriveSeed(0), deriveSeed(5, 0x04de7, 2), deriveSeed(2 ** 33 + 5)],
    [3353774674, 2556313275, 1939817690, 2985056914],
  );
  assert.notEqual(deriveSeed(1, 2, 3), deriveSeed(1, 3, 2));
});

void test('sequences are seed-dependent and floats stay in [0, 1)', () => {
  const a = Array.from({ length: 1000 }, mulberry32(5));
  assert.notDeepEqual(a.slice(0, 8), Array.from({ length: 8 }, mulberry32(6)));
  for (const v of a) assert.ok(v >= 0 && v < 1);
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

void test('shuffle is a permutation', () => {
  const xs = new Prng(1).shuffle(Array.from({ length: 100 }, (_, i) => i));
  assert.deepEqual([...xs].sort((p, q) => p - q), Array.from({ length: 100 }, (_, i) => i));
  assert.notDeepEqual(xs, Array.from({ length: 100 }, (_, i) => i));
});
