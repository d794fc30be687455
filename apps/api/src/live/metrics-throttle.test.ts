import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import type { MetricPoint } from '@equilab/contracts';
import { MetricsThrottle, type RunPoints } from './metrics-throttle';

const pts = (from: number, n: number): MetricPoint[] => Array.from({ length: n }, (_, i) => ({ key: 'loss', step: from + i, value: i, time: 0 }));
const steps = (events: { runs: RunPoints }[]) => events.flatMap((e) => e.runs.flatMap((r) => r.points.map((p) => p.step)));

void describe('MetricsThrottle (leading-edge, per room)', () => {
  let events: { room: string; runs: RunPoints }[];
  let throttle: MetricsThrottle;
  beforeEach(() => {
    mock.timers.enable({ apis: ['setTimeout'] });
    events = [];
    throttle = new MetricsThrottle(50, 100, (room, runs) => events.push({ room, runs }));
  });
  afterEach(() => {
    throttle.close();
    mock.timers.reset();
  });

  void it("emits a quiet room's first batch at once, coalesces while the room is busy, and is quiet again after an empty window", () => {
    throttle.push('run:a', 'a', pts(0, 3));
    assert.equal(events.length, 1, 'first batch of a quiet room: no wait');
    assert.deepEqual(steps(events), [0, 1, 2]);
    throttle.push('run:a', 'a', pts(3, 2));
    throttle.push('run:a', 'b', pts(100, 1));
    throttle.push('run:a', 'a', pts(5, 1));
    assert.equal(events.length, 1, 'inside the window: coalesced');
    mock.timers.tick(50);
    assert.equal(events.length, 2);
    assert.deepEqual(events[1]!.runs.map((r) => [r.runId, r.points.map((p) => p.step)]), [
      ['a', [3, 4, 5]],
      ['b', [100]],
    ]);
    // a window opened by that flush ends with nothing pending: the room is quiet, the next batch goes out at once
    mock.timers.tick(50);
    assert.equal(throttle.busyRooms, 0);
    throttle.push('run:a', 'a', pts(6, 1));
    assert.equal(events.length, 3);
    assert.deepEqual(steps(events), [0, 1, 2, 3, 4, 5, 100, 6]);
  });

  void it('throttles rooms independently', () => {
    throttle.push('run:a', 'a', pts(0, 1));
    throttle.push('project:p', 'a', pts(0, 1));
    throttle.push('run:a', 'a', pts(1, 1));
    assert.deepEqual(events.map((e) => e.room), ['run:a', 'project:p']);
    mock.timers.tick(50);
    assert.deepEqual(events.map((e) => e.room), ['run:a', 'project:p', 'run:a']);
  });

  void it('bounds every event to maxPoints points, splitting larger batches in order without dropping any', () => {
    throttle.push('run:a', 'a', pts(0, 250));
    assert.deepEqual(events.map((e) => e.runs.reduce((n, r) => n + r.points.length, 0)), [100, 100, 50]);
    throttle.push('run:a', 'a', pts(250, 60));
    throttle.push('run:a', 'b', pts(1000, 60));
    mock.timers.tick(50);
    const sizes = events.map((e) => e.runs.reduce((n, r) => n + r.points.length, 0));
    assert.deepEqual(sizes, [100, 100, 50, 100, 20]);
    assert.deepEqual(steps(events), [...pts(0, 310), ...pts(1000, 60)].map((p) => p.step));
  });
});
