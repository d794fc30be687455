import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SearchSpace } from '@equilab/contracts';
import { AppError } from '../common/app-error';
import { expandParams, expandSweep, setPath } from './sweep-expansion';

const identity = (config: Record<string, unknown>) => config;

void describe('sweep expansion', () => {
  void it('grid is the cartesian product, first key varying slowest', () => {
    const params = expandParams(
      { 'optimizer.lr': { distribution: 'choice', values: [0.1, 0.01] }, batchSize: { distribution: 'choice', values: [32, 64, 128] } },
      'grid',
      0,
      undefined,
    );
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
      act: { distribution: 'choice', values: ['relu', 'gelu'] },
    };
    const a = expandParams(space, 'random', 42, 200);
    const b = expandParams(space, 'random', 42, 200);
    const c = expandParams(space, 'random', 43, 200);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
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

  void it('writes params at dotted paths without touching the base config', () => {
    const base = { optimizer: { lr: 1, momentum: 0.9 }, epochs: 3 };
    const out = setPath(base, 'optimizer.lr', 0.5);
    assert.deepEqual(out, { optimizer: { lr: 0.5, momentum: 0.9 }, epochs: 3 });
    assert.equal(base.optimizer.lr, 1);
    const runs = expandSweep(
      { method: 'VICReg', baseConfig: base, searchSpace: { 'loss.inv': { distribution: 'choice', values: [1, 2] } }, strategy: 'grid', seed: 7 },
      identity,
    );
    assert.deepEqual(runs.map((r) => [r.index, r.seed, r.config['loss']]), [
      [0, 7, { inv: 1 }],
      [1, 8, { inv: 2 }],
    ]);
  });

  void it('varies the method itself when the search space names `method`, validating each run with its own schema', () => {
    const seen: string[] = [];
    const runs = expandSweep(
      {
        method: 'SIE',
        baseConfig: { width: 0.25 },
        searchSpace: { method: { distribution: 'choice', values: ['SIE', 'VICReg'] }, base_lr: { distribution: 'choice', values: [1e-3] } },
        strategy: 'grid',
        seed: 0,
      },
      (config, method) => {
        seen.push(method);
        return config;
      },
    );
    assert.deepEqual(runs.map((r) => [r.method, r.config]), [
      ['SIE', { width: 0.25, base_lr: 1e-3 }],
      ['VICReg', { width: 0.25, base_lr: 1e-3 }],
    ]);
    assert.deepEqual(seen, ['SIE', 'VICReg']);
    assert.ok(!('method' in runs[0]!.config), 'method is not written into the config');
  });

  void it('applies per-method overrides only to runs of that method and names them in errors', () => {
    const space = { method: { distribution: 'choice' as const, values: ['SIE', 'VICReg'] } };
    const runs = expandSweep({ method: 'SIE', baseConfig: { width: 0.25 }, methodConfig: { SIE: { equi: 64 } }, searchSpace: space, strategy: 'grid', seed: 0 }, identity);
    assert.deepEqual(runs.map((r) => r.config), [{ width: 0.25, equi: 64 }, { width: 0.25 }]);
    const rejectEqui = (config: Record<string, unknown>) => {
      if ((config['equi'] as number) > 10) throw AppError.validation([{ path: 'config.equi', message: 'too large' }]);
      return config;
    };
    try {
      expandSweep({ method: 'SIE', baseConfig: {}, methodConfig: { SIE: { equi: 64 } }, searchSpace: space, strategy: 'grid', seed: 0 }, rejectEqui);
      assert.fail('expected a validation error');
    } catch (error) {
      assert.ok(error instanceof AppError);
      assert.equal(error.issues?.[0]?.path, 'methodConfig.SIE.equi');
    }
  });

  void it('rejects bad spaces naming the field', () => {
    const fieldOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        assert.ok(error instanceof AppError);
        assert.equal(error.code, 'validation');
        return error.issues?.[0]?.path;
      }
      assert.fail('expected a validation error');
    };
    assert.equal(fieldOf(() => expandParams({ lr: { distribution: 'uniform', min: 0, max: 1 } }, 'grid', 0, undefined)), 'searchSpace.lr.distribution');
    assert.equal(fieldOf(() => expandParams({ lr: { distribution: 'uniform', min: 2, max: 1 } }, 'random', 0, 3)), 'searchSpace.lr.max');
    assert.equal(fieldOf(() => expandParams({ lr: { distribution: 'uniform', min: 0, max: 1 } }, 'random', 0, undefined)), 'count');
    assert.equal(fieldOf(() => expandParams({}, 'grid', 0, undefined)), 'searchSpace');
    const big = Object.fromEntries(Array.from({ length: 4 }, (_, i) => [`p${i}`, { distribution: 'choice' as const, values: Array.from({ length: 10 }, (_, j) => j) }]));
    assert.equal(fieldOf(() => expandParams(big, 'grid', 0, undefined)), 'searchSpace');
    const strict = (config: Record<string, unknown>) => {
      if (typeof config['lr'] !== 'number') throw AppError.field('config.lr', 'must be a number');
      return config;
    };
    assert.equal(fieldOf(() => expandSweep({ method: 'VICReg', baseConfig: {}, searchSpace: { lr: { distribution: 'choice', values: ['x'] } }, strategy: 'grid', seed: 0 }, strict)), 'searchSpace.lr');
  });
});
