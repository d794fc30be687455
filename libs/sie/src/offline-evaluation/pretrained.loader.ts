import * as tf from '@tensorflow/tfjs-core';
import * as path from 'node:path';
import { existsSync } from 'node:fs';
import { methodCatalogue, parseMethodRun, type LatentMode } from '@equilab/contracts';
import { Resnet18Backbone } from '../backbone/resnet18.backbone';
import { buildMethod } from '../methods/method.registry';
import { CHECKPOINT_FILE, readCheckpointState } from '../train/checkpoint.store';
import { readSafetensors } from '../train/safetensors.format';
import type { MethodModel, NamedVariable } from '../types';

/** A pretraining run rebuilt from its checkpoint: backbone and method heads with the stored weights. */
export interface PretrainedRun {
  readonly method: string;
  readonly config: Record<string, unknown>;
  readonly latentMode: LatentMode;
  readonly backbone: Resnet18Backbone;
  readonly model: MethodModel;
  /** `final` when training finished, else `epoch-N` (N epochs done). */
  readonly checkpoint: string;
  readonly resolution: number;
  dispose(): void;
}

function assignAll(file: string, stored: ReturnType<typeof readSafetensors>['tensors'], prefix: string, variables: readonly NamedVariable[]): void {
  for (const { name, variable } of variables) {
    const key = `${prefix}.${name}`;
    const tensor = stored.get(key);
    if (tensor === undefined) throw new Error(`${file}: checkpoint has no tensor "${key}" (model built with another config?)`);
    if (tensor.shape.join(',') !== variable.shape.join(','))
      throw new Error(`${file}: tensor "${key}" has shape [${tensor.shape.join(', ')}], the model expects [${variable.shape.join(', ')}]`);
    tf.tidy(() => variable.assign(tf.tensor(tensor.data, variable.shape, 'float32')));
  }
}

/**
 * Rebuild the backbone and method of a pretraining run from `runDir/checkpoint.safetensors` (the trainer's
 * checkpoint, which stores method, config and every weight — spec §7 loads `model.pth` the same way).
 */
export function loadPretrainedRun(runDir: string): PretrainedRun {
  const file = path.join(runDir, CHECKPOINT_FILE);
  if (!existsSync(file)) throw new Error(`run-dir: no ${CHECKPOINT_FILE} in ${runDir} (is it a pretraining run's output folder?)`);
  const state = readCheckpointState(file);
  // Read from disk: parsed here, where it enters (an unknown method or a bad field throws MethodConfigError).
  const { method, config } = parseMethodRun(state.method, state.config);
  const stored = readSafetensors(file).tensors;
  const backbone = new Resnet18Backbone({ widthMultiplier: config.width, seed: 0 });
  let model: MethodModel | undefined;
  try {
    model = buildMethod(method, config, backbone.outDim, 0);
    assignAll(file, stored, 'backbone', [...backbone.parameters(), ...backbone.buffers()]);
    assignAll(file, stored, 'method', [...model.parameters(), ...model.buffers()]);
  } catch (error) {
    model?.dispose();
    backbone.dispose();
    throw error;
  }
  const done = state.epoch >= state.totalEpochs && state.stepInEpoch === 0;
  const built = model;
  return {
    method,
    config: { ...config },
    latentMode: methodCatalogue[method].latentMode,
    backbone,
    model: built,
    checkpoint: done ? 'final' : `epoch-${state.epoch}`,
    resolution: config.resolution,
    dispose: () => {
      built.dispose();
      backbone.dispose();
    },
  };
}
