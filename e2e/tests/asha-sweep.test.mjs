// An ASHA sweep on the real platform (issue #13): PostgreSQL, Redis, the API, two runners and the TensorFlow.js
// trainer (wasm, ResNet-18 at width 1/16 on 32-pixel images of the tiny generated dataset, 3 steps per epoch).
// 6 configurations, η = 2, rungs of 1, 2 and 4 epochs, 2 slots: runs pause at their rung (checkpoint stored,
// runner freed), promoted runs resume from that checkpoint on whichever runner takes the job, the others end
// `stopped`. The API is killed (SIGKILL, no graceful shutdown) as soon as the first run pauses at its rung, while
// the other slot still trains and reports, and started again: the sweep's decisions are made from PostgreSQL state,
// so the restarted API re-adds the jobs of slot-holding runs and the sweep ends as if nothing happened. Checked
// through REST only: the promotions follow the rule on the rung results, every promoted run's
// series has every step exactly once, both runners trained, compute stays below the full grid's.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { missingPlatformPieces, platformLogs, startPlatform } from '../lib/platform.mjs';
import { LOSS, assertContiguous, storedRows as storedRowsOf } from '../lib/run-checks.mjs';
import { waitFor } from '../lib/stack.mjs';

const missing = missingPlatformPieces();
const skip = missing.length > 0 ? `the platform is not built: ${missing.join(', ')}` : false;
const STEPS_PER_EPOCH = 3;

let platform;
let project;

before(async () => {
  if (skip) return;
  platform = await startPlatform();
  await Promise.all([platform.startRunner('a'), platform.startRunner('b')]);
  project = await platform.api('/projects', { method: 'POST', body: { name: 'asha e2e' } });
});

after(async () => {
  await platform?.stop();
});

test('an ASHA sweep pauses runs at their rungs, survives an API crash, resumes the promoted ones from their checkpoints on two runners, stops the rest', { skip, timeout: 1_500_000 }, async () => {
  try {
    const sweep = await platform.api('/sweeps', {
      method: 'POST',
      body: {
        projectId: project.id,
        name: 'asha',
        method: 'VICReg',
        strategy: 'asha',
        seed: 3,
        baseConfig: { batch_size: 4, resolution: 32, width: 0.0625, mlp: '16-16', seed: 0 },
        searchSpace: { base_lr: { distribution: 'log-uniform', min: 1e-5, max: 3e-2 } },
        asha: { minEpochs: 1, maxEpochs: 4, eta: 2, maxRuns: 6, metric: LOSS, mode: 'min' },
        maxConcurrency: 2,
        backend: 'wasm',
        logEvery: { steps: 1, seconds: 0 },
      },
    });
    assert.equal(sweep.runs.length, 6);
    assert.ok(sweep.runs.every((run) => run.config.epochs === 4 && run.seed === 0), 'every run: epochs = maxEpochs, the same seed');

    // A crash of the API in the middle of the sweep: right after the first rung decision (a run paused).
    await waitFor('a run to pause at its rung', async () => {
      const detail = await platform.api(`/sweeps/${sweep.id}`);
      assert.ok(!detail.runs.some((run) => run.status === 'failed'), `a run failed: ${detail.runs.find((run) => run.status === 'failed')?.error}`);
      return detail.runs.some((run) => run.status === 'paused');
    }, { timeout: 1_000_000, interval: 250 });
    const crashed = platform.apiProcess;
    process.kill(-crashed.child.pid, 'SIGKILL');
    assert.equal((await crashed.exit).signal, 'SIGKILL');
    await platform.startApi();

    let peak = 0;
    const done = await waitFor('the ASHA sweep to complete', async () => {
      const detail = await platform.api(`/sweeps/${sweep.id}`);
      const holding = detail.runs.filter((run) => run.status === 'running').length;
      peak = Math.max(peak, holding);
      assert.ok(!detail.runs.some((run) => run.status === 'failed'), `a run failed: ${detail.runs.find((run) => run.status === 'failed')?.error}`);
      return detail.status === 'completed' ? detail : false;
    }, { timeout: 1_400_000, interval: 500 });
    assert.ok(peak <= 2, `at most maxConcurrency runs train at once (saw ${peak})`);

    const byId = new Map(done.runs.map((run) => [run.id, run]));
    const rung = (k) => done.rungs.find((r) => r.bracket === 0 && r.rung === k);
    assert.equal(rung(0).epochs, 1);
    assert.equal(rung(0).results.length, 6, 'every configuration reached the first rung');
    const promoted0 = rung(0).results.filter((r) => r.promoted);
    assert.ok(promoted0.length >= Math.floor(6 / 2) - 1 && promoted0.length >= 1, `promotions from rung 0: ${promoted0.length}`);
    // Asynchronous ASHA promotes among the results known at each decision (the rule itself is unit-tested on
    // simulated curves): a promoted run reached the next rung; a run not promoted from a rung ended there.
    for (const r of done.rungs) {
      const next = rung(r.rung + 1);
      assert.ok(r.results.filter((x) => x.promoted).length < r.results.length || r.results.length === 0, `rung ${r.rung}: not everybody is promoted`);
      for (const result of r.results) {
        const reachedNext = Boolean(next?.results.some((x) => x.runId === result.runId));
        assert.equal(reachedNext, result.promoted, `${byId.get(result.runId).name} at rung ${r.rung}: promoted ⇔ trained on`);
        if (!result.promoted) assert.ok(['stopped', 'succeeded'].includes(byId.get(result.runId).status));
      }
    }
    const statuses = done.runs.map((run) => run.status).sort();
    assert.ok(statuses.includes('stopped'), `some runs are never promoted: ${statuses}`);
    assert.ok(statuses.includes('succeeded'), `some run trains to maxEpochs: ${statuses}`);
    assert.ok(statuses.every((s) => s === 'stopped' || s === 'succeeded'), `${statuses}`);

    // Every run's series is contiguous up to the rung it reached: promoted runs resumed from their checkpoint
    // with no duplicate or missing step.
    for (const run of done.runs) {
      const reached = Math.max(...done.rungs.filter((r) => r.results.some((x) => x.runId === run.id)).map((r) => r.epochs));
      const rows = await storedRowsOf(platform.apiUrl, platform.token, run.id);
      assertContiguous(rows, reached * STEPS_PER_EPOCH, `${run.name} (reached ${reached} epochs, status ${run.status})`);
      if (run.status === 'succeeded') assert.ok(run.attempt >= 3, `${run.name} resumed twice (attempt ${run.attempt})`);
    }

    // Both runners trained, and a promoted run resumed from its rung's checkpoint.
    const resumedLines = [...platform.runners.values()].flatMap((r) => r.output.filter((line) => line.includes('resuming from')));
    assert.ok(resumedLines.length >= 1, 'a promoted run resumed from its stored checkpoint');
    const trained = [...platform.runners.entries()].filter(([, r]) => r.output.some((line) => line.includes('started on'))).map(([name]) => name);
    assert.deepEqual(trained.sort(), ['a', 'b']);

    assert.ok(done.compute.spentEpochs < done.compute.gridEpochs, `compute ${done.compute.spentEpochs} < grid ${done.compute.gridEpochs}`);
    assert.equal(done.compute.gridEpochs, 24);
  } catch (error) {
    if (platform) console.error(platformLogs(platform, 60));
    throw error;
  }
});
