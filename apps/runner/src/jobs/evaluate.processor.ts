import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { evaluationOutcomeSchema, jobCatalogue, type EvaluationOutcome } from '@equilab/contracts';
import { UnrecoverableError, type Job } from 'bullmq';
import { restoreRecorded } from '../artifacts/artifact-restore';
import { versionedKey } from '../artifacts/artifact-store';
import { TrainingChild } from '../child/training-child.handle';
import { parseJobPayload } from './job-payload';
import { startRunMetrics, type ProcessorDeps } from './processor.deps';
import { requeueJob } from './requeue-job';
import { RunExecution } from './run-execution';

/**
 * Process one `evaluate` job — the offline evaluations (libs/sie `Trainer.evaluate`, EvaluateOptions). It validates the payload, restores the latest recorded version of the run's files (checkpoint, final weights
 * and this evaluation's own earlier files, so an interrupted probe resumes) into a work folder that mirrors
 * `runs/<runId>/`, and forks the child with task `evaluate`. The API hears `POST /evaluations/:id/report`
 * `running` once the backend is up, `done` with the outcome (`evaluations/<id>/result.json`), or `failed`
 * on the last attempt. Metrics go to the run's series (keys prefixed `eval/<kind>/<part>/` by libs/sie);
 * the files the evaluation writes are stored under `runs/<runId>/v/<step 0>-<sha>/evaluations/<id>/…` and registered as `evaluation` artifacts.
 * Preemption hands the job back to the queue (requeueJob) after storing the probe's checkpoint.
 */
/** libs/sie `EVALUATION_RESULT_FILE`, inside `evaluations/<evaluationId>/` of the work folder. */
const EVALUATION_RESULT_FILE = 'result.json';

export async function processEvaluateJob(
  job: Job,
  token: string | undefined,
  deps: ProcessorDeps,
): Promise<{ status: string }> {
  const payload = parseJobPayload('evaluate', jobCatalogue.evaluate.schema, job.data);
  if (deps.isShuttingDown()) return requeueJob(job, token, 'the runner is shutting down');
  const { runId, evaluationId } = payload;
  // The evaluation's run token comes from the API (runner token), never from Redis; the API records the
  // evaluation as dispatched to this runner.
  const credential = await deps.api.runCredential(deps.runnerId(), { queue: 'evaluate', jobId: String(job.id) });
  if (!credential) {
    deps.log(`evaluation ${evaluationId} of run ${runId} (job ${job.id}): the API issued no credential (attempt over or deleted): dropping the job`);
    return { status: 'dropped' };
  }
  const runToken = credential.token;
  const log = (message: string): void => deps.log(`evaluation ${evaluationId} of run ${runId}: ${message}`, { runId, evaluationId, jobId: String(job.id) });
  const execution = new RunExecution(runId, String(job.id));
  const key = `${runId}#${evaluationId}`;
  deps.active.set(key, execution);
  const outDir = join(deps.workDir, `evaluation-${evaluationId}`);
  const batcher = startRunMetrics(deps, runId, runToken, log);
  try {
    await restoreRecorded(
      deps.store,
      runId,
      await deps.api.artifacts(runId, runToken),
      outDir,
      (file) => !file.startsWith('evaluations/') || file.startsWith(`evaluations/${evaluationId}/`),
    );
    const child: TrainingChild = new TrainingChild(
      {
        type: 'start',
        task: 'evaluate',
        job: payload,
        outDir,
        resume: false,
        backend: payload.backend === 'auto' ? deps.defaultBackend : payload.backend,
        workers: deps.dataWorkers,
      },
      {
        onDevice: async (): Promise<void> => {
          await deps.api.reportEvaluation(evaluationId, runToken, { status: 'running' });
          deps.monitor?.jobPhase('evaluate', String(job.id), 'running');
          child.proceed();
        },
        onMetrics: (points) => batcher.add(points),
        onProgress: () => undefined,
        // The child's stdout/stderr lines, as the job's log lines (JSON with runId/jobId).
        onLog: (line: string, source: string) => deps.log(line, { runId, evaluationId, jobId: String(job.id), child: source }),
        onCheckpoint: () => Promise.resolve(),
      },
      deps.childEntry,
    );
    execution.onStop((reason) => child.stop(reason));
    const outcome = await child.done;
    // The run's series holds the evaluation's metrics before the API hears the evaluation is done.
    await batcher.drain(deps.drainTimeoutMs);
    if (outcome.kind === 'error' && execution.stopReason !== 'preempt') {
      const last = !outcome.retryable || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (last)
        await deps.api
          .reportEvaluation(evaluationId, runToken, {
            status: 'failed',
            error: outcome.message.slice(0, 20_000),
          })
          .catch((error: unknown) => log(`report failed: ${String(error)}`));
      throw outcome.retryable ? new Error(outcome.message) : new UnrecoverableError(outcome.message);
    }
    // Stored even when stopped: a preempted probe resumes from its checkpoint on the next runner.
    if (outcome.kind === 'end' && outcome.end.finalFiles.length > 0) deps.monitor?.jobPhase('evaluate', String(job.id), 'checkpointing');
    // Content-addressed keys (step 0: these files have none), as the run's checkpoints: a file whose record the
    // API refuses (the evaluation's attempt ended) can replace no recorded one.
    for (const file of outcome.kind === 'end' ? outcome.end.finalFiles : []) {
      const stored = await deps.store.putAddressed(join(outDir, ...file.split('/')), (sha256) => versionedKey(runId, file, 0, sha256));
      await deps.api.artifact(runId, runToken, {
        kind: 'evaluation',
        path: stored.path,
        size: stored.size,
        sha256: stored.sha256,
        step: null,
      });
    }
    if (execution.stopReason === 'preempt')
      return await requeueJob(job, token, 'the runner is shutting down');
    if (outcome.kind === 'error') throw new Error(outcome.message);
    if (outcome.end.outcome !== 'completed') return { status: 'stopped' };
    const resultFile = join(outDir, 'evaluations', evaluationId, EVALUATION_RESULT_FILE);
    let result: EvaluationOutcome;
    try {
      result = evaluationOutcomeSchema.parse(JSON.parse(await readFile(resultFile, 'utf8')));
    } catch (error) {
      const message = `evaluation result ${resultFile} is missing or invalid: ${error instanceof Error ? error.message : String(error)}`;
      await deps.api.reportEvaluation(evaluationId, runToken, { status: 'failed', error: message });
      throw new UnrecoverableError(message);
    }
    await deps.api.reportEvaluation(evaluationId, runToken, { status: 'done', outcome: result });
    log(`done (${result.status})`);
    return { status: 'succeeded' };
  } finally {
    await batcher.close(deps.drainTimeoutMs);
    if (deps.active.get(key) === execution) deps.active.delete(key);
  }
}
