import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Progress } from '@equilab/contracts';
import { ProgressReporter } from './progress-reporter';

const at = (step: number): Progress => ({ step, totalSteps: 6, epoch: 0, totalEpochs: 2, imagesPerSecond: 1, etaSeconds: 6 - step });

void test('close() delivers the newest progress that the interval was holding back, after the post in flight', async () => {
  const posted: number[] = [];
  let release: () => void = () => undefined;
  const firstPost = new Promise<void>((resolve) => (release = resolve));
  const reporter = new ProgressReporter(
    async (p) => {
      posted.push(p.step);
      if (posted.length === 1) await firstPost;
    },
    60_000,
    () => undefined,
  );
  reporter.report(at(1)); // sent at once, and still in flight
  reporter.report(at(3)); // held back by the interval
  reporter.report(at(6)); // replaces step 3: only the newest matters
  const closed = reporter.close();
  release();
  await closed;
  assert.deepEqual(posted, [1, 6]);
});

void test('close() with nothing pending posts nothing more', async () => {
  const posted: number[] = [];
  const reporter = new ProgressReporter((p) => Promise.resolve(void posted.push(p.step)), 60_000, () => undefined);
  reporter.report(at(2));
  await reporter.close();
  await reporter.close();
  assert.deepEqual(posted, [2]);
});
