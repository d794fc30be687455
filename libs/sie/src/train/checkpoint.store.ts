import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import type { NamedVariable } from '../types';
import type { AdamOptimizer, AdamState } from './adam.optimizer';
import { readSafetensors, writeSafetensors, type StoredTensor } from './safetensors.format';

export const CHECKPOINT_FILE = 'checkpoint.safetensors';
export const FINAL_WEIGHTS_FILE = 'final_weights.safetensors';
const METADATA_KEY = 'equilab';
const FORMAT = 'equilab-checkpoint';

/** Where training stands, stored with the weights. Steps are global: `epoch·stepsPerEpoch + stepInEpoch`. */
export interface CheckpointState {
  readonly format: typeof FORMAT;
  readonly version: 1;
  readonly method: string;
  readonly config: Record<string, unknown>;
  readonly seed: number;
  readonly workers: number;
  /** Epoch to train next (or the epoch in progress). */
  readonly epoch: number;
  /** Index, within `epoch`, of the next step to train. */
  readonly stepInEpoch: number;
  /** Global index of the next step to train. */
  readonly globalStep: number;
  readonly stepsPerEpoch: number;
  readonly totalEpochs: number;
  /** Training wall time accumulated so far, seconds (continues `General/time_elapsed` across resumes). */
  readonly elapsedSeconds: number;
  readonly rngState: number;
  readonly adamSteps: Record<string, number>;
  readonly savedAt: string;
}

/** A named group of variables: key = `${prefix}.${name}`. */
export interface VariableGroup {
  readonly prefix: string;
  readonly variables: readonly NamedVariable[];
}

function toStored(key: string, variable: tf.Variable): StoredTensor {
  return { name: key, shape: variable.shape, data: variable.dataSync() as Float32Array };
}

/** Writes weights, buffers, optimizer moments and the state atomically; returns the file size. */
export function saveCheckpoint(
  path: string,
  groups: readonly VariableGroup[],
  optimizer: AdamOptimizer,
  state: Omit<CheckpointState, 'format' | 'version' | 'adamSteps' | 'savedAt'>,
): number {
  const tensors: StoredTensor[] = [];
  for (const group of groups) {
    for (const { name, variable } of group.variables) tensors.push(toStored(`${group.prefix}.${name}`, variable));
  }
  const adam = optimizer.state();
  for (const [name, m] of Object.entries(adam.m)) {
    const v = adam.v[name] as Float32Array;
    tensors.push({ name: `adam.m.${name}`, shape: [m.length], data: m });
    tensors.push({ name: `adam.v.${name}`, shape: [v.length], data: v });
  }
  const full: CheckpointState = { ...state, format: FORMAT, version: 1, adamSteps: adam.steps, savedAt: new Date().toISOString() };
  return writeSafetensors(path, tensors, { [METADATA_KEY]: JSON.stringify(full) });
}

export function hasCheckpoint(path: string): boolean {
  return existsSync(path);
}

/** Reads only the state of a checkpoint (to check it matches a run before building the model). */
export function readCheckpointState(path: string): CheckpointState {
  return parseState(path, readSafetensors(path).metadata);
}

function parseState(path: string, metadata: Record<string, string>): CheckpointState {
  const raw = metadata[METADATA_KEY];
  if (raw === undefined) throw new Error(`${path}: not an Equilab checkpoint (no "${METADATA_KEY}" metadata)`);
  const state = JSON.parse(raw) as CheckpointState;
  if (state.format !== FORMAT || state.version !== 1) throw new Error(`${path}: unsupported checkpoint format ${state.format} v${state.version}`);
  return state;
}

/**
 * Loads a checkpoint into existing variables (every variable must be present with its shape) and the
 * optimizer; returns the stored state.
 */
export function loadCheckpoint(path: string, groups: readonly VariableGroup[], optimizer: AdamOptimizer): CheckpointState {
  const file = readSafetensors(path);
  const state = parseState(path, file.metadata);
  for (const group of groups) {
    for (const { name, variable } of group.variables) {
      const key = `${group.prefix}.${name}`;
      const stored = file.tensors.get(key);
      if (stored === undefined) throw new Error(`${path}: checkpoint has no tensor "${key}" (model built with another config?)`);
      if (stored.shape.length !== variable.shape.length || stored.shape.some((s, i) => s !== variable.shape[i])) {
        throw new Error(`${path}: tensor "${key}" has shape [${stored.shape.join(', ')}], the model expects [${variable.shape.join(', ')}]`);
      }
      tf.tidy(() => variable.assign(tf.tensor(stored.data, variable.shape, 'float32')));
    }
  }
  const adam: AdamState = { steps: state.adamSteps, m: {}, v: {} };
  for (const name of Object.keys(state.adamSteps)) {
    const m = file.tensors.get(`adam.m.${name}`);
    const v = file.tensors.get(`adam.v.${name}`);
    if (m === undefined || v === undefined) throw new Error(`${path}: optimizer moments of "${name}" are missing`);
    adam.m[name] = m.data;
    adam.v[name] = v.data;
  }
  optimizer.load(adam);
  return state;
}

/** Backbone weights and batch-norm buffers only, under their own names (no prefix), for the offline evaluations. */
export function saveFinalWeights(path: string, variables: readonly NamedVariable[], metadata: Record<string, unknown>): number {
  return writeSafetensors(
    path,
    variables.map(({ name, variable }) => toStored(name, variable)),
    { [METADATA_KEY]: JSON.stringify({ format: 'equilab-final-weights', version: 1, ...metadata }) },
  );
}
