import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Trainer } from '@equilab/sie';

/** The stand-in dataset the stub trainer reads from `<dataRoot>/stub-dataset.json` (runner tests write it). */
export interface StubDataset {
  readonly stepsPerEpoch: number;
  /** Wall time of one step. */
  readonly stepMs: number;
  /** Throw at this global step (a failing attempt). */
  readonly failAtStep?: number;
}

export const STUB_DATASET_FILE = 'stub-dataset.json';

/**
 * A stand-in for libs/sie's trainer, for the runner's tests only (testing/stub-child.main.ts runs the training
 * child with it): the same `Trainer` interface and callbacks, no TensorFlow. It trains `epochs × stepsPerEpoch`
 * steps of `stepMs` each, emits the metric `loss` = 1/(step+1) at every step (it ignores `logEvery`), checkpoints
 * (`checkpoint.json`, written atomically) at every epoch end and when aborted, resumes from the checkpoint, and
 * writes `final_weights.json`.
 */
export const stubTrainer: Trainer = {
  selectBackend: (backend) => Promise.resolve({ backend: `stub-${backend}`, threads: 1, device: 'stub-cpu' }),

  async train(options) {
    // A note on stderr, as TensorFlow.js and libs/sie print some: the runner logs it as the job's line.
    process.stderr.write(`stub trainer: ${options.resume ? 'resuming' : 'starting'}\n`);
    const dataset = JSON.parse(readFileSync(join(options.dataRoot, STUB_DATASET_FILE), 'utf8')) as StubDataset;
    const perEpoch = dataset.stepsPerEpoch;
    const total = options.run.config.epochs * perEpoch;
    const checkpointPath = join(options.outDir, 'checkpoint.json');
    let step = 0;
    if (options.resume && existsSync(checkpointPath))
      step = (JSON.parse(readFileSync(checkpointPath, 'utf8')) as { step: number }).step;
    const artifact = { kind: 'checkpoint' as const, path: 'checkpoint.json', size: 0, sha256: '0'.repeat(64), step };
    const checkpoint = (reason: 'epoch-end' | 'canceled'): void => {
      writeFileSync(`${checkpointPath}.tmp`, JSON.stringify({ step }));
      renameSync(`${checkpointPath}.tmp`, checkpointPath);
      void options.onCheckpoint?.({ step, epoch: Math.floor(step / perEpoch), files: ['checkpoint.json'], artifact: { ...artifact, step }, reason });
    };
    while (step < total) {
      if (options.signal?.aborted) {
        checkpoint('canceled');
        return { status: 'canceled', step, epoch: Math.floor(step / perEpoch), finalFiles: [], finalWeights: null };
      }
      await new Promise((resolve) => setTimeout(resolve, dataset.stepMs));
      if (dataset.failAtStep === step) throw new Error(`stub trainer: failing at step ${step} as configured`);
      options.onMetrics?.([{ key: 'loss', step, value: 1 / (step + 1), time: Date.now() }]);
      step += 1;
      options.onProgress?.({
        step,
        totalSteps: total,
        epoch: Math.floor(step / perEpoch),
        totalEpochs: options.run.config.epochs,
        imagesPerSecond: 1000 / dataset.stepMs,
        etaSeconds: ((total - step) * dataset.stepMs) / 1000,
      });
      if (step % perEpoch === 0) checkpoint('epoch-end');
    }
    writeFileSync(join(options.outDir, 'final_weights.json'), JSON.stringify({ step }));
    return { status: 'completed', step, epoch: options.run.config.epochs, finalFiles: ['final_weights.json'], finalWeights: null };
  },

  /** One metric and `evaluations/<id>/result.json` (an EvaluationOutcome). */
  async evaluate(options) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    const evalDir = join(options.outDir, 'evaluations', options.evaluationId ?? options.kind);
    mkdirSync(evalDir, { recursive: true });
    const trained = existsSync(join(options.outDir, 'final_weights.json'));
    const outcome = {
      kind: 'classification' as const,
      part: 'inv' as const,
      checkpoint: trained ? 'final' : 'none',
      status: 'succeeded' as const,
      metrics: { top1: 0.5 },
      reason: null,
      epochs: 1,
    };
    writeFileSync(join(evalDir, 'result.json'), JSON.stringify(outcome));
    options.onMetrics?.([{ key: `eval/${options.kind}/inv/top1`, step: 0, value: 0.5, time: Date.now() }]);
    return { status: 'completed', outcome, files: [`evaluations/${options.evaluationId ?? options.kind}/result.json`], evalDir };
  },
};
