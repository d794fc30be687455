import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { safeParseMethodConfig, type SearchSpace } from '@equilab/contracts';
import type { ConfigObject } from './config-path';
import { expandSweep, type RunConfigParser, type SweepRequest } from './expand-sweep';
import { SweepError } from './sweep-error';

const choice = (...values: unknown[]) => ({ distribution: 'choice' as const, values });
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
const identity: RunConfigParser<{ method: string; config: ConfigObject }> = (method, config) => ({ success: true, data: { method, config } });
const request = (extra: Partial<SweepRequest> & { searchSpace: SearchSpace }): SweepRequest => ({ method: 'VICReg', baseConfig: {}, strategy: 'grid', seed: 0, ...extra });

function issuesOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof SweepError, String(error));
    return [...error.issues];
  }
  assert.fail('expected a SweepError');
}

void describe('sweep expansion', () => {
  void it('writes params at dotted paths onto the base config; the seed is the same for every configuration', () => {
    const base = { loss: { inv: 0, var: 1 }, epochs: 3 };
    const runs = expandSweep(request({ baseConfig: base, searchSpace: { 'loss.inv': choice(1, 2) }, seed: 7 }), identity);
    assert.deepEqual(plain(runs.map((r) => [r.index, r.seed, r.run.config])), [
      [0, 7, { loss: { inv: 1, var: 1 }, epochs: 3, seed: 7 }],
      [1, 7, { loss: { inv: 2, var: 1 }, epochs: 3, seed: 7 }],
    ]);
    assert.equal(base.loss.inv, 0, 'the base config is not changed');
    const fixed = expandSweep(request({ baseConfig: { seed: 0 }, searchSpace: { base_lr: choice(0.1, 0.2, 0.3) }, seed: 9 }), identity);
    assert.deepEqual(fixed.map((r) => [r.seed, r.run.config['seed']]), [[0, 0], [0, 0], [0, 0]], 'a fixed seed in the base config wins over the search seed');
    const seeded = expandSweep(request({ searchSpace: { seed: choice(3, 5) }, seed: 7 }), identity);
    assert.deepEqual(seeded.map((r) => r.seed), [3, 5], 'a space that varies the seed sets it');
  });

  void it('runs each configuration `replicates` times with seeds seed … seed+N−1, grouped by configuration', () => {
    const runs = expandSweep(request({ baseConfig: { seed: 10 }, searchSpace: { base_lr: choice(0.1, 0.2) }, replicates: 3 }), identity);
    assert.deepEqual(plain(runs.map((r) => [r.index, r.configIndex, r.replicate, r.seed, r.run.config['seed'], r.params])), [
      [0, 0, 0, 10, 10, { base_lr: 0.1 }],
      [1, 0, 1, 11, 11, { base_lr: 0.1 }],
      [2, 0, 2, 12, 12, { base_lr: 0.1 }],
      [3, 1, 0, 10, 10, { base_lr: 0.2 }],
      [4, 1, 1, 11, 11, { base_lr: 0.2 }],
      [5, 1, 2, 12, 12, { base_lr: 0.2 }],
    ]);
    const varied = expandSweep(request({ searchSpace: { seed: choice(100, 200) }, replicates: 2 }), identity);
    assert.deepEqual(varied.map((r) => r.seed), [100, 101, 200, 201]);
    const many = { a: choice(...Array.from({ length: 100 }, (_, i) => i)) };
    assert.deepEqual(issuesOf(() => expandSweep(request({ searchSpace: many, replicates: 11 }), identity)).map((i) => i.path), ['replicates']);
  });

  void it('asha: maxRuns random configurations, maxEpochs as every run\'s epochs, brackets split as Determined splits them; epochs may not vary', () => {
    const asha = { minEpochs: 1, maxEpochs: 16, eta: 4, maxRuns: 5, brackets: 2, metric: 'Loss/Total', mode: 'min' as const };
    const space = { base_lr: { distribution: 'log-uniform' as const, min: 1e-4, max: 1e-1 } };
    const runs = expandSweep(request({ strategy: 'asha', asha, searchSpace: space, seed: 3 }), identity);
    assert.equal(runs.length, 5);
    assert.deepEqual(runs.map((r) => [r.bracket, r.run.config['epochs'], r.seed]), [[0, 16, 3], [0, 16, 3], [1, 16, 3], [0, 16, 3], [0, 16, 3]]);
    const random = expandSweep(request({ strategy: 'random', count: 5, searchSpace: space, seed: 3 }), identity);
    assert.deepEqual(runs.map((r) => r.params), random.map((r) => r.params), 'asha draws its configurations as random does');
    assert.deepEqual(issuesOf(() => expandSweep(request({ strategy: 'asha', asha, searchSpace: { epochs: choice(1, 2) } }), identity)).map((i) => i.path), ['searchSpace.epochs']);
    assert.deepEqual(issuesOf(() => expandSweep(request({ strategy: 'asha', searchSpace: space }), identity)).map((i) => i.path), ['asha']);
    assert.deepEqual(issuesOf(() => expandSweep(request({ strategy: 'asha', asha: { ...asha, brackets: 4 }, searchSpace: space }), identity)).map((i) => i.path), ['asha.brackets']);
    assert.deepEqual(issuesOf(() => expandSweep(request({ asha, searchSpace: { base_lr: choice(1) } }), identity)).map((i) => i.path), ['asha']);
  });

  void it('varies the method itself when the space names `method`, with per-method overrides', () => {
    const seen: string[] = [];
    const runs = expandSweep(
      request({
        method: 'SIE',
        baseConfig: { width: 0.25 },
        methodConfig: { SIE: { equi: 64 } },
        searchSpace: { method: choice('SIE', 'VICReg'), base_lr: choice(1e-3) },
      }),
      (method, config) => {
        seen.push(method);
        return identity(method, config);
      },
    );
    assert.deepEqual(plain(runs.map((r) => [r.run.method, r.run.config])), [
      ['SIE', { width: 0.25, equi: 64, base_lr: 1e-3, seed: 0 }],
      ['VICReg', { width: 0.25, base_lr: 1e-3, seed: 0 }],
    ]);
    assert.deepEqual(seen, ['SIE', 'VICReg'], 'each run parsed once, by its own method');
    assert.deepEqual(issuesOf(() => expandSweep(request({ searchSpace: { method: choice(5) } }), identity)).map((i) => i.path), ['searchSpace.method']);
  });

  void it('parses each run with the method schemas and names the request field of each problem', () => {
    const parse: RunConfigParser<unknown> = (method, config) => safeParseMethodConfig(method, config);
    const paths = (extra: Partial<SweepRequest> & { searchSpace: SearchSpace }) => issuesOf(() => expandSweep(request(extra), parse)).map((i) => i.path);
    const space = { base_lr: choice(0.1) };
    assert.deepEqual(paths({ searchSpace: { base_lr: choice('fast') } }), ['searchSpace.base_lr']);
    assert.deepEqual(paths({ baseConfig: { epochs: -3 }, searchSpace: space }), ['baseConfig.epochs']);
    assert.deepEqual(paths({ baseConfig: { base_rl: 1 }, searchSpace: space }), ['baseConfig.base_rl']);
    assert.deepEqual(paths({ baseConfig: { method: 'SIE' }, searchSpace: space }), ['baseConfig.method']);
    assert.deepEqual(paths({ method: 'NoSuchMethod', searchSpace: space }), ['method']);
    assert.deepEqual(paths({ method: 'constructor', searchSpace: space }), ['method']);
    assert.deepEqual(paths({ searchSpace: { method: choice('SIE', 'toString') } }), ['searchSpace.method']);
    assert.deepEqual(paths({ method: 'SIE', methodConfig: { SIE: { equi: 999 } }, searchSpace: { method: choice('SIE', 'VICReg') } }), ['methodConfig.SIE.equi']);
    assert.deepEqual(paths({ seed: 2 ** 31 - 1, replicates: 2, searchSpace: { base_lr: choice(0.1, 0.2) } }), ['seed']);
    assert.deepEqual(paths({ baseConfig: { seed: 2 ** 31 - 1 }, replicates: 2, searchSpace: { base_lr: choice(0.1) } }), ['baseConfig.seed']);
    const [issue] = issuesOf(() => expandSweep(request({ searchSpace: { base_lr: choice(0.1, 'fast') } }), parse));
    assert.match(issue!.message, /\(run 1, value "fast"\)$/);
  });

  void it('ignores overrides inherited through the prototype chain', () => {
    const runs = expandSweep(request({ method: 'constructor', methodConfig: {}, searchSpace: { base_lr: choice(1) } }), identity);
    assert.deepEqual(plain(runs[0]!.run.config), { base_lr: 1, seed: 0 });
  });
});
