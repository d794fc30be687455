import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrainOptions, TrainResult } from '../child/trainer.port';

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
  if (options.resume && existsSync(checkpointPath)) step = (JSON.parse(readFileSync(checkpointPath, 'utf8')) as { step: number }).step;
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
    if (options.config.failAtStep === step) throw new Error(`stub trainer: failing at step ${step} as configured`);
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
