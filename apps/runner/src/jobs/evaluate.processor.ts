import { join } from 'node:path';
import { jobCatalogue } from '@equilab/contracts';
import { UnrecoverableError, type Job } from 'bullmq';
import { runPrefix } from '../artifacts/artifact-store';
import { TrainingChild } from '../child/training-child';
import { MetricBatcher } from '../metrics/metric-batcher';
import { parseJobPayload } from './job-payload';
import type { ProcessorDeps } from './processor.deps';
import { requeueJob } from './requeue-job';
import { RunExecution } from './run-execution';
import { restoreWorkDir } from './work-dir';

/**
 * Process one `evaluate` job — the offline evaluations (libs/sie `evaluate(options)`, see EvaluateOptions in
 * child/trainer.port.ts). It validates the payload, restores the run's stored files (checkpoint, final weights
 * and this evaluation's own earlier files, so an interrupted probe resumes) into a work folder that mirrors
 * `runs/<runId>/`, and forks the child with task `evaluate`. Metrics go to the run's series (keys prefixed
 * `eval/<kind>/<part>/` by libs/sie); the files the evaluation writes (`evaluations/<evaluationId>/result.json`,
 * probe checkpoint) are stored under `runs/<runId>/` and registered as `evaluation` artifacts.
 * HOOK: the runner ⇄ API protocol has no evaluation start/finish route yet; when the API adds one, report
 * the evaluation's status and outcome here (the result file holds the EvaluationOutcome).
 */
export async function processEvaluateJob(job: Job, token: string | undefined, deps: ProcessorDeps): Promise<{ status: string }> {
  const payload = parseJobPayload('evaluate', jobCatalogue.evaluate.schema, job.data);
  if (deps.isShuttingDown()) return requeueJob(job, token, 'the runner is shutting down');
  const { runId, runToken, evaluationId } = payload;
  const log = (message: string): void => deps.log(`evaluation ${evaluationId} of run ${runId}: ${message}`);
  const execution = new RunExecution(runId, String(job.id));
  const key = `${runId}#${evaluationId}`;
  deps.active.set(key, execution);
  const outDir = join(deps.workDir, `evaluation-${evaluationId}`);
  const batcher = new MetricBatcher({
    meta: { runId, runToken },
    spillRoot: deps.spillDir,
    send: (points) => deps.api.metrics(runId, runToken, points),
    ...deps.metrics,
    log,
  }).start();
  try {
    await restoreWorkDir(deps.store, runPrefix(runId), outDir, (key) => !key.startsWith('evaluations/') || key.startsWith(`evaluations/${evaluationId}/`));
    const child: TrainingChild = new TrainingChild(
      {
        type: 'start',
        task: 'evaluate',
        payload,
        outDir,
        resume: false,
        backend: payload.backend === 'auto' ? deps.defaultBackend : payload.backend,
        workers: deps.dataWorkers,
        trainerModule: deps.trainerModule,
      },
      {
        onDevice: (): Promise<void> => Promise.resolve(child.proceed()),
        onMetrics: (points) => batcher.add(points),
        onProgress: () => undefined,
        onCheckpoint: () => Promise.resolve(),
      },
      deps.childEntry,
    );
    execution.onStop((reason) => child.stop(reason));
    const outcome = await child.done;
    if (outcome.kind === 'error' && execution.stopReason !== 'preempt')
      throw outcome.retryable ? new Error(outcome.message) : new UnrecoverableError(outcome.message);
    // Stored even when stopped: a preempted probe resumes from its checkpoint on the next runner.
    for (const file of outcome.kind === 'end' ? outcome.end.finalFiles : []) {
      const stored = await deps.store.put(join(outDir, ...file.split('/')), `${runPrefix(runId)}${file}`);
      await deps.api.artifact(runId, runToken, { kind: 'evaluation', path: stored.path, size: stored.size, sha256: stored.sha256, step: null });
    }
    if (execution.stopReason === 'preempt') return await requeueJob(job, token, 'the runner is shutting down');
    if (outcome.kind === 'error') throw new Error(outcome.message);
    return { status: outcome.end.outcome === 'completed' ? 'succeeded' : 'stopped' };
  } finally {
    await batcher.close(deps.drainTimeoutMs);
    if (deps.active.get(key) === execution) deps.active.delete(key);
  }
}
