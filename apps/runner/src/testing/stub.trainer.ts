import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { EvaluateOptions, EvaluateResult, TrainOptions, TrainResult } from '../child/trainer.port';

/**
 * A stand-in for libs/sie `train`, for the runner's tests only (RUNNER_TRAINER_MODULE points here): same
 * options and callbacks, no TensorFlow. It trains `totalSteps` steps of `stepMs` each, emits the metric
 * `loss` = 1/(step+1) at every step, checkpoints (`checkpoint.json`, written atomically) every
 * `stepsPerEpoch` steps and when aborted, resumes from the checkpoint, and writes `final_weights.json`.
 */
export function selectBackend(backend: string): { backend: string; threads: number; device: string } {
  return { backend: `stub-${backend}`, threads: 1, device: 'stub-cpu' };
}

export async function train(options: TrainOptions): Promise<TrainResult> {
  const total = Number(options.config.totalSteps ?? 40);
  const perEpoch = Number(options.config.stepsPerEpoch ?? 10);
  const stepMs = Number(options.config.stepMs ?? 20);
  const checkpointPath = join(options.outDir, 'checkpoint.json');
  let step = 0;
  if (options.resume && existsSync(checkpointPath))
    step = (JSON.parse(readFileSync(checkpointPath, 'utf8')) as { step: number }).step;
  const checkpoint = (): void => {
    writeFileSync(`${checkpointPath}.tmp`, JSON.stringify({ step }));
    renameSync(`${checkpointPath}.tmp`, checkpointPath);
    void options.onCheckpoint({ step, epoch: Math.floor(step / perEpoch), files: ['checkpoint.json'] });
  };
  while (step < total) {
    if (options.signal.aborted) {
      checkpoint();
      return { status: 'canceled', step, finalFiles: [] };
    }
    await new Promise((resolve) => setTimeout(resolve, stepMs));
    if (options.config.failAtStep === step)
      throw new Error(`stub trainer: failing at step ${step} as configured`);
    options.onMetrics([{ key: 'loss', step, value: 1 / (step + 1), time: Date.now() }]);
    step += 1;
    options.onProgress({
      step,
      totalSteps: total,
      epoch: Math.floor(step / perEpoch),
      totalEpochs: Math.ceil(total / perEpoch),
      imagesPerSecond: 1000 / stepMs,
      etaSeconds: ((total - step) * stepMs) / 1000,
    });
    if (step % perEpoch === 0) checkpoint();
  }
  writeFileSync(join(options.outDir, 'final_weights.json'), JSON.stringify({ step }));
  return { status: 'completed', step, finalFiles: ['final_weights.json'] };
}

/** Stand-in for libs/sie `evaluate`: one metric and `evaluations/<id>/result.json` (an EvaluationOutcome). */
export async function evaluate(options: EvaluateOptions): Promise<EvaluateResult> {
  await new Promise((resolve) => setTimeout(resolve, 10));
  const dir = join(options.outDir, 'evaluations', options.evaluationId);
  mkdirSync(dir, { recursive: true });
  const trained = existsSync(join(options.outDir, 'final_weights.json'));
  const outcome = {
    kind: options.kind,
    part: 'inv',
    checkpoint: trained ? 'final' : 'none',
    status: 'succeeded',
    metrics: { top1: 0.5 },
    reason: null,
    epochs: 1,
  };
  writeFileSync(join(dir, 'result.json'), JSON.stringify(outcome));
  options.onMetrics([{ key: `eval/${options.kind}/inv/top1`, step: 0, value: 0.5, time: Date.now() }]);
  return { status: 'completed', files: [`evaluations/${options.evaluationId}/result.json`] };
}
