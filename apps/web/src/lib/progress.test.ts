import { expect, test } from 'vitest';
import { makeRun } from '../../test/fixtures';
import { preferredMetric } from './metric-defaults';
import { groupProgress, runProgress } from './progress';

test('progress is steps done out of the total for every status, epochs likewise', () => {
  expect(runProgress(makeRun({ status: 'queued' }))).toMatchObject({ fraction: null, text: 'not started', epochs: '—' });
  const running = runProgress(makeRun({ status: 'running', step: 5, totalSteps: 20, epoch: 0, totalEpochs: 3 }));
  expect(running).toMatchObject({ done: 5, total: 20, fraction: 0.25, text: '5 / 20 steps · 25%', epochs: '0 / 3 done (in epoch 1)' });
  const finished = runProgress(makeRun({ status: 'succeeded', step: 20, totalSteps: 20, epoch: 3, totalEpochs: 3 }));
  expect(finished).toMatchObject({ fraction: 1, text: '20 / 20 steps · 100%', epochs: '3 / 3 done' });
  // A failed or stopped run shows where it stopped, not "—" nor 100%.
  expect(runProgress(makeRun({ status: 'stopped', step: 8, totalSteps: 20, epoch: 2, totalEpochs: 5 })).text).toBe('8 / 20 steps · 40%');
  // 99.9% is not rounded up to 100%.
  expect(runProgress(makeRun({ status: 'running', step: 999, totalSteps: 1000 })).text).toBe('999 / 1000 steps · 99%');
  expect(groupProgress([makeRun({ step: 20, totalSteps: 20 }), makeRun({ step: 5, totalSteps: 20 }), makeRun()])).toMatchObject({ done: 25, total: 40, text: '25 / 40 steps · 62%' });
  expect(groupProgress([makeRun()]).text).toBe('—');
});

test('the metric shown first is the total loss, not the alphabetically first', () => {
  expect(preferredMetric(['General/epoch', 'Loss/Covariance', 'Loss/Invariance', 'Loss/Total loss'])).toBe('Loss/Total loss');
  expect(preferredMetric(['General/epoch', 'Loss/Covariance'])).toBe('Loss/Covariance');
  expect(preferredMetric(['Stats/std'])).toBe('Stats/std');
  expect(preferredMetric([])).toBeUndefined();
});
