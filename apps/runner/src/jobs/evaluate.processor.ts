import { join } from 'node:path';
import { jobCatalogue } from '@equilab/contracts';
import { UnrecoverableError, type Job } from 'bullmq';
import { runPrefix } from '../artifacts/artifact-store';
import { TrainingChild } from '../child/training-child';
import { MetricBatcher } from '../metrics/metric-batcher';
import { parseJobPayload } from './job-payload';
import type { ProcessorDeps } from './processor.deps';
import { RunExecution } from './run-execution';
import { restoreWorkDir } from './work-dir';

/**
 * Process one `evaluate` job — THE HOOK for the offline evaluations. It validates the payload, restores the
 * run's stored files (final weights, checkpoints) into a work folder, and forks the same child with task
 * `evaluate`, which calls `evaluate(options)` of the trainer module (`EvaluateOptions` in
 * child/trainer.port.ts). Until libs/sie exports `evaluate`, the job fails at once with a clear
 * "evaluation entry missing" error. Metrics go to the run's series; files the evaluation returns are stored
 * under `runs/<runId>/evaluations/<evaluationId>/` and registered as `evaluation` artifacts. Start/finish of
 * the evaluation itself are the evaluation engineer's to add (the runner ⇄ API protocol has no route yet).
 */
export async function processEvaluateJob(job: Job, _token: string | undefined, deps: ProcessorDeps): Promise<{ status: string }> {
  const payload = parseJobPayload('evaluate', jobCatalogue.evaluate.schema, job.data);
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
    await restoreWorkDir(deps.store, runPrefix(runId), outDir, ['evaluations/']);
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
        onDevice: async (): Promise<void> => child.proceed(),
        onMetrics: (points) => batcher.add(points),
        onProgress: () => undefined,
        onCheckpoint: async () => undefined,
      },
      deps.childEntry,
    );
    execution.onStop((reason) => child.stop(reason));
    const outcome = await child.done;
    if (outcome.kind === 'error') throw outcome.retryable ? new Error(outcome.message) : new UnrecoverableError(outcome.message);
    for (const file of outcome.end.finalFiles) {
      const stored = await deps.store.put(join(outDir, ...file.split('/')), `${runPrefix(runId)}evaluations/${evaluationId}/${file}`);
      await deps.api.artifact(runId, runToken, { kind: 'evaluation', path: stored.path, size: stored.size, sha256: stored.sha256, step: null });
    }
    return { status: outcome.end.outcome === 'completed' ? 'succeeded' : 'stopped' };
  } finally {
    await batcher.close(deps.drainTimeoutMs);
    if (deps.active.get(key) === execution) deps.active.delete(key);
  }
}
