import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { parseMethodRun } from '@equilab/contracts';
import {
  AdamOptimizer,
  CHECKPOINT_FILE,
  FINAL_WEIGHTS_FILE,
  Resnet18Backbone,
  buildMethod,
  saveCheckpoint,
  saveFinalWeights,
} from '@equilab/sie';
import { applyInitialWeights, initialWeightsWidth, readInitialWeights, type InitialWeights, type InitialWeightsReport } from './initial-weights';

export interface ReferenceRunOptions {
  /**
   * The reference's weights: `final_weights.pth`, a `model.pth` checkpoint, or safetensors in reference naming
   * (or an Equilab weights file: whatever `readInitialWeights` reads; its `weights` may be given read already).
   */
  readonly weightsFile: string;
  readonly weights?: InitialWeights;
  /** The Equilab method whose config describes the run (`width` defaults to the weights'; `equi` sets the parts). */
  readonly method: string;
  readonly config: Record<string, unknown>;
  readonly outDir: string;
}

export interface ReferenceRun {
  readonly weights: InitialWeights;
  readonly loaded: InitialWeightsReport;
  readonly files: string[];
  readonly config: Record<string, unknown>;
}

/**
 * A finished Equilab run folder holding the reference's backbone, so `equilab eval --run-dir` (and the
 * evaluation suite) can evaluate reference weights: `final_weights.safetensors` plus a `checkpoint.safetensors`
 * marked as finished, with the method's heads freshly initialised (only the backbone comes from the reference:
 * the probe evaluations use nothing else; retrieval scores PRE/MRR with the method's predictor, which this does
 * not import from the reference, so it is not meaningful on such a run; an Equilab checkpoint brings its heads).
 * Names and shapes are checked (`applyInitialWeights`): an error names the file and the tensor.
 */
export function writeReferenceRun(options: ReferenceRunOptions): ReferenceRun {
  const weights = options.weights ?? readInitialWeights(options.weightsFile);
  // `width` defaults to the file's (its stem's channels / 64).
  const width = initialWeightsWidth(weights);
  const { method, config } = parseMethodRun(options.method, { ...(width !== null ? { width } : {}), ...options.config });
  const configRecord = { ...config } as Record<string, unknown>;
  const backbone = new Resnet18Backbone({ widthMultiplier: config.width, seed: 0 });
  let model: ReturnType<typeof buildMethod> | undefined;
  try {
    model = buildMethod(method, config, backbone.outDim, 0);
    const loaded = applyInitialWeights(weights, method, { backbone, model });
    mkdirSync(options.outDir, { recursive: true });
    const backboneVariables = [...backbone.parameters(), ...backbone.buffers()];
    const origin = { importedFrom: path.resolve(options.weightsFile), importedSource: weights.source };
    saveFinalWeights(path.join(options.outDir, FINAL_WEIGHTS_FILE), backboneVariables, { method, ...origin });
    saveCheckpoint(
      path.join(options.outDir, CHECKPOINT_FILE),
      [
        { prefix: 'backbone', variables: backboneVariables },
        { prefix: 'method', variables: [...model.parameters(), ...model.buffers()] },
      ],
      new AdamOptimizer([], { lr: config.base_lr }),
      {
        method,
        config: configRecord,
        seed: 0,
        workers: 0,
        // Finished: the evaluations read it as the final checkpoint.
        epoch: config.epochs,
        stepInEpoch: 0,
        globalStep: 0,
        stepsPerEpoch: 0,
        totalEpochs: config.epochs,
        elapsedSeconds: 0,
        rngState: 0,
      },
    );
    return { weights, loaded, files: [FINAL_WEIGHTS_FILE, CHECKPOINT_FILE], config: configRecord };
  } finally {
    model?.dispose();
    backbone.dispose();
  }
}
