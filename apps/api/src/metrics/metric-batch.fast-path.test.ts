import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_INT4, MAX_WALL_TIME_MS, metricBatchSchema } from '@equilab/contracts';
import { fastMetricBatch } from './metric-batch.fast-path';

const good = { key: 'loss', step: 3, value: 0.5, time: 1_700_000_000_000 };

void describe('fastMetricBatch', () => {
  void it('accepts exactly what metricBatchSchema accepts', () => {
    const bodies: unknown[] = [
      { points: [good] },
      { points: [good, { ...good, step: MAX_INT4, time: MAX_WALL_TIME_MS, value: -1e308, key: 'k'.repeat(200) }] },
      { points: [{ ...good, step: 0, time: 0 }] },
      { points: [] },
      { points: [good], extra: 1 },
      { points: [{ ...good, extra: 1 }] },
      { points: [{ key: 'loss', step: 1, value: 1 }] },
      { points: [{ ...good, key: '' }] },
      { points: [{ ...good, key: 'k'.repeat(201) }] },
      { points: [{ ...good, key: 'a\u0000b' }] },
      { points: [{ ...good, key: 7 }] },
      { points: [{ ...good, step: -1 }] },
      { points: [{ ...good, step: 1.5 }] },
      { points: [{ ...good, step: MAX_INT4 + 1 }] },
      { points: [{ ...good, step: '3' }] },
      { points: [{ ...good, value: Infinity }] },
      { points: [{ ...good, value: NaN }] },
      { points: [{ ...good, value: '1' }] },
      { points: [{ ...good, time: -1 }] },
      { points: [{ ...good, time: MAX_WALL_TIME_MS + 1 }] },
      { points: [{ ...good, time: 1.5 }] },
      { points: [null] },
      { points: [[good]] },
      { points: good },
      [good],
      null,
      'points',
      {},
    ];
    for (const body of bodies) {
      const zod = metricBatchSchema.safeParse(body);
      const fast = fastMetricBatch(body);
      assert.equal(fast !== null, zod.success, JSON.stringify(body)?.slice(0, 120));
      if (fast && zod.success) assert.deepEqual(fast, zod.data.points);
    }
  });
});
