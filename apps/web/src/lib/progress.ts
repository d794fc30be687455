import type { Run } from '@equilab/contracts';

/**
 * One notion of a run's progress, the same on the Runs list, the Sweep page and the run page: optimisation steps
 * done out of the run's total (`run.step` counts steps completed; a metric logged at step index 19 is the 20th
 * step's, so 20 / 20 steps done is the run whose last values read "step 19"). Epochs likewise count those done.
 */
export interface RunProgress {
  /** Steps completed and the total, null while unknown (a queued run). */
  done: number | null;
  total: number | null;
  /** done / total in [0, 1], null while unknown. */
  fraction: number | null;
  /** `20 / 20 steps · 100%`, `not started`. */
  text: string;
  /** `3 / 3 done`, `0 / 3 done (in epoch 1)` while running. */
  epochs: string;
}

export function runProgress(run: Pick<Run, 'status' | 'step' | 'totalSteps' | 'epoch' | 'totalEpochs'>): RunProgress {
  const total = run.totalSteps && run.totalSteps > 0 ? run.totalSteps : null;
  const done = run.step ?? (run.status === 'succeeded' ? total : null);
  const fraction = done !== null && total !== null ? Math.min(1, Math.max(0, done / total)) : null;
  const text = done === null ? (run.status === 'queued' ? 'not started' : '—') : total === null ? `${done} steps` : `${done} / ${total} steps · ${Math.floor(fraction! * 100)}%`;
  let epochs = '—';
  if (run.epoch !== null) {
    const of = run.totalEpochs ? ` / ${run.totalEpochs}` : '';
    const current = run.status === 'running' && (!run.totalEpochs || run.epoch < run.totalEpochs) ? ` (in epoch ${run.epoch + 1})` : '';
    epochs = `${run.epoch}${of} done${current}`;
  }
  return { done, total, fraction, text, epochs };
}

/** Progress of a group of runs: steps done over all of them out of their total steps. */
export function groupProgress(runs: readonly Pick<Run, 'status' | 'step' | 'totalSteps' | 'epoch' | 'totalEpochs'>[]): RunProgress {
  let done = 0;
  let total = 0;
  let known = false;
  for (const run of runs) {
    const p = runProgress(run);
    if (p.total === null) continue;
    known = true;
    total += p.total;
    done += Math.min(p.done ?? 0, p.total);
  }
  if (!known) return { done: null, total: null, fraction: null, text: '—', epochs: '—' };
  const fraction = total > 0 ? done / total : 0;
  return { done, total, fraction, text: `${done} / ${total} steps · ${Math.floor(fraction * 100)}%`, epochs: '—' };
}
