import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { methodCatalogue, type BackendName, type DeviceInfo, type LogEvery, type MethodRun } from '@equilab/contracts';
import { selectBackend } from '../backend/select-backend';
import { Resnet18Backbone } from '../backbone/resnet18.backbone';
import { OnlineEvaluator, defaultPartProbes } from '../online-evaluation/online.evaluator';
import type { MethodModel } from '../types';
import { buildMethod } from '../methods/method.registry';
import { CHECKPOINT_FILE, hasCheckpoint, readCheckpointState } from './checkpoint.store';
import { PairLoaderSource } from './pair-loader.source';
import { Prng } from '@equilab/random';
import { TrainingLoop } from './training.loop';
import type { TrainCallbacks, TrainController, TrainResult } from './train.types';

export interface TrainOptions extends TrainCallbacks {
  /** The method and its parsed config (`parseMethodRun` / `methodRunSchema` of contracts, defaults applied). */
  readonly run: MethodRun;
  /** Dataset root holding `train_images.npy` / `train_labels.npy` and the synset folders. */
  readonly dataRoot: string;
  /** Checkpoints, final weights. Created if missing. */
  readonly outDir: string;
  readonly backend: BackendName;
  /** Seed of initialisation, data order and view sampling. */
  readonly seed: number;
  /** Loader worker threads (0 = decode in this thread). */
  readonly workers: number;
  /** How often metrics are reported (contracts `logEverySchema`). */
  readonly logEvery: LogEvery;
  readonly signal?: AbortSignal;
  /** Continue from `outDir/checkpoint.safetensors` when it exists. */
  readonly resume: boolean;
  /** Checkpoint on request (next step boundary). */
  readonly controller?: TrainController;
  /** wasm threads. */
  readonly threads?: number;
  /** Called once the backend is initialised. */
  readonly onDevice?: (device: DeviceInfo) => void;
  /**
   * A fresh run only (not called when resuming: the checkpoint holds the weights): replaces the seeded initial
   * weights of the backbone and heads before the first step (libs/interop `applyInitialWeights` for
   * `--init-weights`). The seeded initialisation is drawn first, so the seed still decides data order, views and
   * the online evaluator's probes; the optimizer starts fresh. Throwing refuses the run before any step.
   */
  readonly initialise?: (parts: { readonly backbone: Resnet18Backbone; readonly model: MethodModel }) => void;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Options a resumed run may change: `epochs` (train longer or stop earlier). */
const RESUMABLE_CHANGES = new Set(['epochs']);

/** Config keys whose values differ between a checkpoint and this run. */
function configDifferences(stored: Record<string, unknown>, current: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(stored), ...Object.keys(current)]);
  return [...keys].filter((k) => !RESUMABLE_CHANGES.has(k) && !sameJson(stored[k], current[k])).sort();
}

/**
 * Pretrains one method on a 3DIEBench-shaped dataset (spec §6): Adam with coupled weight decay at a constant
 * `base_lr`, `epochs` passes over the train split, the online evaluator trained alongside. Resumes exactly from
 * `outDir/checkpoint.safetensors` when `resume` is set and the file exists; stops at a step boundary after a
 * checkpoint when `signal` aborts (status `canceled`).
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const { run } = options;
  const { config } = run;
  const configRecord: Record<string, unknown> = { ...config };
  const info = methodCatalogue[run.method];

  mkdirSync(options.outDir, { recursive: true });
  const checkpointPath = path.join(options.outDir, CHECKPOINT_FILE);
  const resume = options.resume && hasCheckpoint(checkpointPath);
  if (resume) {
    const state = readCheckpointState(checkpointPath);
    if (state.method !== run.method) {
      throw new Error(`resume: the checkpoint in ${options.outDir} is a ${state.method} run, not ${run.method}`);
    }
    const differences = configDifferences(state.config, configRecord);
    if (differences.length > 0) {
      throw new Error(`resume: config differs from the checkpoint's in ${differences.join(', ')} (use another --out, or the same config)`);
    }
    if (state.seed !== options.seed) throw new Error(`resume: seed ${options.seed} differs from the checkpoint's ${state.seed}`);
  }

  const device = await selectBackend(options.backend, options.threads !== undefined ? { threads: options.threads } : {});
  options.onDevice?.(device);

  const source = await PairLoaderSource.open({
    dataRoot: options.dataRoot,
    batchSize: config.batch_size,
    resolution: config.resolution,
    latentMode: info.latentMode,
    seed: options.seed,
    workers: options.workers,
  });
  const rng = new Prng(options.seed ^ 0x7a1e5eed);
  let backbone: Resnet18Backbone | undefined;
  let model: MethodModel | undefined;
  let evaluator: OnlineEvaluator | undefined;
  let loop: TrainingLoop | undefined;
  try {
    backbone = new Resnet18Backbone({ widthMultiplier: config.width, seed: rng.nextSeed() });
    model = buildMethod(run.method, run.config, backbone.outDim, rng.nextSeed());
    if (!resume) options.initialise?.({ backbone, model });
    const dims = model.evalDims;
    evaluator = new OnlineEvaluator({
      reprDim: backbone.outDim,
      embDim: dims.invEmb + dims.equiEmb,
      dims,
      numClasses: source.numClasses,
      seed: rng.nextSeed(),
      partProbes: defaultPartProbes(backbone.outDim, dims),
    });
    loop = new TrainingLoop(
      { backbone, model, evaluator, source, rng },
      {
        method: run.method,
        config: configRecord,
        seed: options.seed,
        workers: options.workers,
        epochs: config.epochs,
        lr: config.base_lr,
        weightDecay: config.wd,
        outDir: options.outDir,
        resume,
        logEvery: options.logEvery,
        loggedTerms: info.loggedTerms.map((t) => t.term),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.controller ? { controller: options.controller } : {}),
        ...(options.onMetrics ? { onMetrics: options.onMetrics } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.onCheckpoint ? { onCheckpoint: options.onCheckpoint } : {}),
      },
    );
    return await loop.run();
  } finally {
    loop?.dispose();
    evaluator?.dispose();
    model?.dispose();
    backbone?.dispose();
    await source.close();
  }
}
