import assert from 'node:assert/strict';
import { test } from 'node:test';
import { replicateGroupKey } from './group-key';

const weights = '00000000-0000-4000-8000-000000000001';

void test('replicate groups: seeds share a key, any other config difference, the method or the initial weights split it', () => {
  const base = replicateGroupKey('SIE', { seed: 0, base_lr: 1e-3, epochs: 3 });
  assert.match(base, /^[0-9a-f]{16}$/);
  assert.equal(replicateGroupKey('SIE', { epochs: 3, base_lr: 1e-3, seed: 7 }), base, 'key order and seed do not matter');
  assert.notEqual(replicateGroupKey('SIE', { seed: 0, base_lr: 2e-3, epochs: 3 }), base);
  assert.notEqual(replicateGroupKey('VICReg', { seed: 0, base_lr: 1e-3, epochs: 3 }), base);
  const initialised = replicateGroupKey('SIE', { seed: 0, base_lr: 1e-3, epochs: 3 }, weights);
  assert.notEqual(initialised, base, 'a run started from weights is not a replicate of seeded-init runs');
  assert.equal(replicateGroupKey('SIE', { seed: 3, base_lr: 1e-3, epochs: 3 }, weights), initialised, 'replicates from the same weights share a key');
  assert.notEqual(replicateGroupKey('SIE', { seed: 0, base_lr: 1e-3, epochs: 3 }, '00000000-0000-4000-8000-000000000002'), initialised);
  assert.equal(replicateGroupKey('SIE', { seed: 0, base_lr: 1e-3, epochs: 3 }, null), base, 'seeded-init runs keep the key they always had');
});
