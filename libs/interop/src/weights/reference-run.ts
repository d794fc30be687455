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
import { loadReferenceWeights, type ReferenceWeights } from './reference-weights';

export interface ReferenceRunOptions {
  /** The reference's weights: `final_weights.pth`, a `model.pth` checkpoint, or safetensors in reference naming. */
  readonly weightsFile: string;
  /** The Equilab method whose config describes the run (its `width` must match the weights; `equi` sets the parts). */
  readonly method: string;
  readonly config: Record<string, unknown>;
  readonly outDir: string;
}

export interface ReferenceRun {
  readonly weights: ReferenceWeights;
  readonly files: string[];
  readonly config: Record<string, unknown>;
}

/**
 * A finished Equilab run folder holding the reference's backbone, so `equilab eval --run-dir` (and the
 * evaluation suite) can evaluate reference weights: `final_weights.safetensors` plus a `checkpoint.safetensors`
 * marked as finished, with the method's heads freshly initialised (only the backbone comes from the reference:
 * the probe evaluations use nothing else; retrieval scores PRE/MRR with the method's predictor, which this does
 * not import, so it is not meaningful on such a run).
 */
export function writeReferenceRun(options: ReferenceRunOptions): ReferenceRun {
  const { method, config } = parseMethodRun(options.method, options.config);
  const configRecord = { ...config } as Record<string, unknown>;
  const backbone = new Resnet18Backbone({ widthMultiplier: config.width, seed: 0 });
  let model: ReturnType<typeof buildMethod> | undefined;
  try {
    const weights = loadReferenceWeights(backbone, options.weightsFile);
    model = buildMethod(method, config, backbone.outDim, 0);
    mkdirSync(options.outDir, { recursive: true });
    const backboneVariables = [...backbone.parameters(), ...backbone.buffers()];
    const origin = { importedFrom: path.resolve(options.weightsFile), importedPrefix: weights.prefix };
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
    return { weights, files: [FINAL_WEIGHTS_FILE, CHECKPOINT_FILE], config: configRecord };
  } finally {
    model?.dispose();
    backbone.dispose();
  }
}
