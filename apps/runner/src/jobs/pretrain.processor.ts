import { join } from 'node:path';
import {
  jobCatalogue,
  type ChildCheckpointMessage,
  type DeviceInfo,
  type PretrainJob,
} from '@equilab/contracts';
import { UnrecoverableError, type Job } from 'bullmq';
import { ApiError } from '../api-client/api.error';
import { restoreRecorded } from '../artifacts/artifact-restore';
import { versionedKey } from '../artifacts/artifact-store';
import { TrainingChild } from '../child/training-child.handle';
import { parseJobPayload } from './job-payload';
import { startRunMetrics, type ProcessorDeps } from './processor.deps';
import { ProgressReporter } from './progress-reporter';
import { requeueJob } from './requeue-job';
import { RunExecution } from './run-execution';

export type PretrainJobResult =
  | { readonly status: 'succeeded' | 'canceled' | 'preempted' }
  | { readonly status: 'dropped'; readonly reason: string };

/** Offline evaluations keep their files under `runs/<runId>/evaluations/`: not part of the training state. */
const isTrainingState = (file: string): boolean => !file.startsWith('evaluations/');

/**
 * Process one `pretrain` job: validate the payload, restore the run's latest recorded checkpoint (the API's
 * artifact records, checked by SHA-256) from the artifact store into a fresh work folder, fork the training child, tell the API (`start`, with the child's backend,
 * threads and device), stream metrics / progress / checkpoints, and end the run.
 *
 * Endings:
 * - completed → final weights stored and registered, metrics drained, `finish succeeded`; job completes.
 * - canceled (Redis CANCEL_CHANNEL or heartbeat) → the child checkpoints and stops, `finish canceled`; job
 *   completes (never retried). The cancel revoked the attempt's token, so the stopping checkpoint's record is
 *   refused (409): its file sits at its own step- and content-addressed key beside the last recorded one, which
 *   stays whole and is what a retry resumes from.
 * - preempted (runner SIGTERM) → the child checkpoints and stops, `finish preempted`; the job COMPLETES and
 *   the API re-queues the run as a fresh job (runner-api.ts contract). If the API cannot be told, the job
 *   itself goes back to the queue instead: `job.moveToDelayed` + `DelayedError` (BullMQ's idiom for "not
 *   done, not failed", which does not spend an attempt).
 * - `start` answers 409 (run canceled / finished meanwhile) → the child is killed, the job completes.
 * - child error → retryable errors are thrown (BullMQ retries with the catalogue's backoff, the next attempt
 *   resumes from the last checkpoint); a non-retryable error or the last attempt reports `finish failed`.
 * A runner killed outright (SIGKILL) stops renewing the job lock: BullMQ's stalled-job check puts the job
 * back in the queue and the next runner resumes from the last stored checkpoint.
 */
export async function processPretrainJob(
  job: Job,
  token: string | undefined,
  deps: ProcessorDeps,
): Promise<PretrainJobResult> {
  const payload = parseJobPayload('pretrain', jobCatalogue.pretrain.schema, job.data);
  if (deps.isShuttingDown()) return requeueJob(job, token, 'the runner is shutting down');
  // The job's run token comes from the API (runner token), never from Redis.
  const credential = await deps.api.runCredential(deps.runnerId(), { queue: 'pretrain', jobId: String(job.id) });
  if (!credential) {
    deps.log(`run ${payload.runId} (job ${job.id}): the API issued no credential (attempt over or run deleted): dropping the job`);
    return { status: 'dropped', reason: 'the attempt is no longer active' };
  }
  const execution = new RunExecution(payload.runId, String(job.id));
  deps.active.set(payload.runId, execution);
  try {
    return await execute(job, token, payload, credential.token, execution, deps);
  } finally {
    if (deps.active.get(payload.runId) === execution) deps.active.delete(payload.runId);
  }
}

async function execute(
  job: Job,
  token: string | undefined,
  payload: PretrainJob,
  runToken: string,
  execution: RunExecution,
  deps: ProcessorDeps,
): Promise<PretrainJobResult> {
  const { runId } = payload;
  const log = (message: string): void => deps.log(`run ${runId} (job ${job.id}): ${message}`, { runId, jobId: String(job.id) });
  const outDir = join(deps.workDir, runId);
  const restored = await restoreRecorded(deps.store, runId, await deps.api.artifacts(runId, runToken), outDir, isTrainingState);
  log(restored > 0 ? `resuming from ${restored} stored checkpoint file(s)` : 'starting from scratch');
  // A fresh attempt of a run with initWeights starts from that file (a resumed one has its checkpoint).
  const initWeightsFile = payload.initWeights && restored === 0 ? join(deps.workDir, `${runId}.init-weights.safetensors`) : undefined;
  if (initWeightsFile) {
    const bytes = await deps.api.initWeights(runId, runToken, initWeightsFile);
    log(`fetched its initial weights (${payload.initWeights?.kind} artifact ${payload.initWeights?.artifactId}, ${bytes} bytes)`);
  }

  const batcher = startRunMetrics(deps, runId, runToken, log);
  const progress = new ProgressReporter((p) => deps.api.progress(runId, runToken, p), 1_000, log);
  let rejected = false;
  let lastCheckpointStep: number | null = null;

  /**
   * Stores each file at its own step- and content-addressed key, then records it. false when the API refused
   * the record because the attempt had ended (409: canceled meanwhile): the file stays unrecorded beside the
   * recorded ones — it can replace none of them — and is never resumed from.
   */
  const storeFiles = async (
    files: readonly string[],
    kind: 'checkpoint' | 'final-weights',
    step: number,
  ): Promise<boolean> => {
    for (const file of files) {
      const stored = await deps.store.putAddressed(join(outDir, ...file.split('/')), (sha256) =>
        versionedKey(runId, file, step, sha256),
      );
      try {
        await deps.api.artifact(runId, runToken, {
          kind,
          path: stored.path,
          size: stored.size,
          sha256: stored.sha256,
          step,
        });
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 409)) throw error;
        log(`${kind} ${stored.path} at step ${step} not recorded: the attempt has ended (${error.message})`);
        return false;
      }
    }
    return true;
  };

  const child = new TrainingChild(
    {
      type: 'start',
      task: 'pretrain',
      job: payload,
      outDir,
      resume: restored > 0,
      backend: payload.backend === 'auto' ? deps.defaultBackend : payload.backend,
      workers: deps.dataWorkers,
      ...(initWeightsFile ? { initWeightsFile } : {}),
    },
    {
      onDevice: async (device: DeviceInfo) => {
        const answer = await deps.api.startRun(runId, runToken, {
          runnerId: deps.runnerId(),
          attempt: job.attemptsMade + 1,
          backend: device.backend,
          threads: device.threads,
          device: device.device,
        });
        if (answer === 'rejected') {
          rejected = true;
          log('the API refused to start the run (canceled or finished): dropping the job');
          child.kill();
          return;
        }
        log(`started on ${device.backend} (${device.threads ?? '?'} threads, ${device.device})`);
        child.proceed();
      },
      onMetrics: (points) => {
        deps.monitor?.metrics(runId, points);
        batcher.add(points);
      },
      onProgress: (p) => {
        deps.monitor?.progress(runId, p);
        progress.report(p);
      },
      // The child's stdout/stderr lines, as the job's log lines (JSON with runId/jobId).
      onLog: (line: string, source: string) => deps.log(line, { runId, jobId: String(job.id), child: source }),
      onCheckpoint: async (checkpoint: ChildCheckpointMessage) => {
        // Metrics up to the checkpoint are made durable (sent, or spilled to disk) before the checkpoint
        // becomes visible: a run resumed from it never has a gap in its series.
        await batcher.drain(deps.drainTimeoutMs);
        deps.monitor?.jobPhase('pretrain', String(job.id), 'checkpointing');
        let stored: boolean;
        try {
          stored = await storeFiles(checkpoint.files, 'checkpoint', checkpoint.step);
        } finally {
          deps.monitor?.jobPhase('pretrain', String(job.id), 'running');
        }
        if (!stored) return;
        lastCheckpointStep = checkpoint.step;
        log(`checkpoint at step ${checkpoint.step} stored`);
      },
    },
    deps.childEntry,
  );
  execution.onStop((reason) => {
    log(`stopping (${reason})`);
    child.stop(reason);
  });

  const outcome = await child.done;
  await progress.close();
  let delivered = await batcher.close(deps.drainTimeoutMs);
  // The run token dies with the attempt (finish): deliver every point first while the API is reachable at
  // all — finish itself could not go through otherwise. Bounded: what is left stays spilled.
  for (let tries = 1; !delivered && tries < 15 && !rejected; tries += 1) delivered = await batcher.close(deps.drainTimeoutMs);
  if (!delivered) log(`metrics not delivered yet: kept in ${deps.spillDir} for replay`);
  if (rejected) return { status: 'dropped', reason: 'the API refused to start the run' };

  if (outcome.kind === 'end' && outcome.end.outcome === 'completed') {
    deps.monitor?.jobPhase('pretrain', String(job.id), 'checkpointing');
    await storeFiles(outcome.end.finalFiles, 'final-weights', outcome.end.step ?? 0);
    await deps.api.finish(runId, runToken, { status: 'succeeded' });
    log('succeeded');
    return { status: 'succeeded' };
  }
  if (outcome.kind === 'end') {
    if (execution.stopReason === 'cancel') {
      await deps.api
        .finish(runId, runToken, { status: 'canceled' })
        .catch((error: unknown) => log(`finish canceled: ${String(error)}`));
      log(`canceled (last checkpoint at step ${lastCheckpointStep ?? 'none'})`);
      return { status: 'canceled' };
    }
    // Preempted (runner SIGTERM, or the child was signalled directly).
    try {
      await deps.api.finish(runId, runToken, { status: 'preempted' });
    } catch (error) {
      log(
        `could not report the preemption (${error instanceof Error ? error.message : String(error)}): re-queueing the job`,
      );
      return requeueJob(job, token, 'preempted');
    }
    log(`preempted at step ${lastCheckpointStep ?? 'none'}: the API re-queues the run`);
    return { status: 'preempted' };
  }

  const attempts = job.opts.attempts ?? 1;
  const last = !outcome.retryable || job.attemptsMade + 1 >= attempts;
  if (execution.stopReason === 'cancel') {
    // Canceled while the child failed or stopped with an error (the cancel revoked the attempt's token, so
    // any API call of the attempt is refused): the run stays canceled with its last recorded checkpoint.
    await deps.api.finish(runId, runToken, { status: 'canceled' }).catch(() => undefined);
    log(`canceled (last checkpoint at step ${lastCheckpointStep ?? 'none'}; stopped: ${outcome.message})`);
    return { status: 'canceled' };
  }
  if (!last) {
    log(`attempt ${job.attemptsMade + 1}/${attempts} failed, BullMQ retries: ${outcome.message}`);
    throw new Error(outcome.message);
  }
  await deps.api
    .finish(runId, runToken, { status: 'failed', error: outcome.message.slice(0, 20_000) })
    .catch((error: unknown) => log(`finish failed: ${String(error)}`));
  throw outcome.retryable ? new Error(outcome.message) : new UnrecoverableError(outcome.message);
}
