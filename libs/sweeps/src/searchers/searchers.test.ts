import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SearchSpace } from '@equilab/contracts';
import { SweepError } from '../sweep-error';
import { searchConfigurations, searchIssues } from '.';

const choice = (...values: unknown[]) => ({ distribution: 'choice' as const, values });

void describe('searchers', () => {
  void it('grid is the cartesian product, first key varying slowest', () => {
    const params = searchConfigurations('grid', { searchSpace: { 'optimizer.lr': choice(0.1, 0.01), batchSize: choice(32, 64, 128) }, seed: 0 });
    assert.equal(params.length, 6);
    assert.deepEqual(params[0], { 'optimizer.lr': 0.1, batchSize: 32 });
    assert.deepEqual(params[2], { 'optimizer.lr': 0.1, batchSize: 128 });
    assert.deepEqual(params[5], { 'optimizer.lr': 0.01, batchSize: 128 });
    assert.equal(new Set(params.map((p) => JSON.stringify(p))).size, 6);
  });

  void it('random draws are reproducible from the seed and respect each distribution', () => {
    const space: SearchSpace = {
      lr: { distribution: 'log-uniform', min: 1e-5, max: 1e-1 },
      w: { distribution: 'uniform', min: -1, max: 1 },
      k: { distribution: 'int-uniform', min: 2, max: 4 },
      act: choice('relu', 'gelu'),
    };
    const a = searchConfigurations('random', { searchSpace: space, seed: 42, count: 200 });
    assert.deepEqual(a, searchConfigurations('random', { searchSpace: space, seed: 42, count: 200 }));
    assert.notDeepEqual(a, searchConfigurations('random', { searchSpace: space, seed: 43, count: 200 }));
    assert.equal(a.length, 200);
    for (const p of a) {
      assert.ok((p['lr'] as number) >= 1e-5 && (p['lr'] as number) <= 1e-1);
      assert.ok((p['w'] as number) >= -1 && (p['w'] as number) <= 1);
      assert.ok([2, 3, 4].includes(p['k'] as number));
      assert.ok(['relu', 'gelu'].includes(p['act'] as string));
    }
    // log-uniform: about half the draws below the geometric mean 1e-3
    const below = a.filter((p) => (p['lr'] as number) < 1e-3).length;
    assert.ok(below > 60 && below < 140, `log-uniform skewed: ${below}/200 below 1e-3`);
    assert.deepEqual(new Set(a.map((p) => p['k'])), new Set([2, 3, 4]));
  });

  void it('the first draws of seed 1 are those sweeps made before the library existed', () => {
    const [first] = searchConfigurations('random', { searchSpace: { lr: { distribution: 'uniform', min: 0, max: 1 } }, seed: 1, count: 1 });
    assert.equal(first!['lr'], 0.6270739405881613);
  });

  void it('names the field of every rule a request breaks', () => {
    const paths = (strategy: 'grid' | 'random', searchSpace: SearchSpace, count?: number) => searchIssues(strategy, { searchSpace, seed: 0, count }).map((i) => i.path);
    assert.deepEqual(paths('grid', { lr: { distribution: 'uniform', min: 0, max: 1 } }), ['searchSpace.lr.distribution']);
    assert.deepEqual(paths('random', { lr: { distribution: 'uniform', min: 2, max: 1 } }, 3), ['searchSpace.lr.max']);
    assert.deepEqual(paths('random', { lr: { distribution: 'int-uniform', min: 1, max: 1 } }, 3), [], 'min = max is a valid range');
    assert.deepEqual(paths('random', { lr: { distribution: 'uniform', min: 0, max: 1 } }), ['count']);
    assert.deepEqual(paths('grid', {}), ['searchSpace']);
    assert.deepEqual(paths('grid', { '__proto__.x': choice(1), ok: choice(1) }), ['searchSpace.__proto__.x']);
    const big = Object.fromEntries(Array.from({ length: 4 }, (_, i) => [`p${i}`, choice(...Array.from({ length: 10 }, (_, j) => j))]));
    assert.deepEqual(paths('grid', big), ['searchSpace']);
    assert.throws(() => searchConfigurations('grid', { searchSpace: big, seed: 0 }), SweepError);
  });
});
