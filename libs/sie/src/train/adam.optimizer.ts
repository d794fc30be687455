import * as tf from '@tensorflow/tfjs-core';
import type { NamedVariable } from '../types';

export interface AdamOptions {
  readonly lr: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  /** COUPLED (L2) weight decay, as PyTorch `Adam(weight_decay)`: g ← g + wd·p before the moments. */
  readonly weightDecay?: number;
}

/** Serialisable optimizer state: per-parameter moments and step counts, keyed by the parameters' names. */
export interface AdamState {
  readonly steps: Record<string, number>;
  readonly m: Record<string, Float32Array>;
  readonly v: Record<string, Float32Array>;
}

/** Parameters trained with their own weight decay (PyTorch's parameter groups). */
export interface AdamParamGroup {
  readonly params: readonly NamedVariable[];
  readonly weightDecay: number;
}

interface Slot {
  readonly param: NamedVariable;
  readonly weightDecay: number;
  m: tf.Variable | null;
  v: tf.Variable | null;
  step: number;
}

/**
 * Adam exactly as `torch.optim.Adam` (amsgrad off): per-parameter step counts, a parameter without a
 * gradient at a step is left untouched (no decay, no moment update), bias correction
 * p ← p − lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + ε).
 */
export class AdamOptimizer {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private readonly slots = new Map<string, Slot>();
  /** tf variable name → checkpoint name. */
  private readonly byVariableName = new Map<string, string>();

  /**
   * `params` use `options.weightDecay`; each of `groups` its own (e.g. probes trained without decay, as a
   * separate `torch.optim.Adam` would: Adam's update of one parameter never depends on another's).
   */
  constructor(
    params: readonly NamedVariable[],
    options: AdamOptions,
    groups: readonly AdamParamGroup[] = [],
  ) {
    this.lr = options.lr;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    for (const group of [{ params, weightDecay: this.weightDecay }, ...groups]) {
      for (const param of group.params) {
        if (this.slots.has(param.name)) throw new Error(`duplicate parameter name "${param.name}"`);
        this.slots.set(param.name, { param, weightDecay: group.weightDecay, m: null, v: null, step: 0 });
        this.byVariableName.set(param.variable.name, param.name);
      }
    }
  }

  /** The tf.Variables to differentiate, in parameter order. */
  variables(): tf.Variable[] {
    return [...this.slots.values()].map((slot) => slot.param.variable);
  }

  /**
   * One update from gradients keyed by tf variable name (the output of `tf.variableGrads`). Does not
   * dispose the gradients.
   */
  apply(grads: tf.NamedTensorMap): void {
    for (const [variableName, grad] of Object.entries(grads)) {
      const name = this.byVariableName.get(variableName);
      if (name === undefined) continue;
      const slot = this.slots.get(name) as Slot;
      this.update(slot, grad);
    }
  }

  private update(slot: Slot, grad: tf.Tensor): void {
    const p = slot.param.variable;
    if (slot.m === null) slot.m = tf.tidy(() => tf.variable(tf.zerosLike(p), false));
    if (slot.v === null) slot.v = tf.tidy(() => tf.variable(tf.zerosLike(p), false));
    const m = slot.m;
    const v = slot.v;
    slot.step += 1;
    const bc1 = 1 - Math.pow(this.beta1, slot.step);
    const bc2 = 1 - Math.pow(this.beta2, slot.step);
    tf.tidy(() => {
      const g = slot.weightDecay !== 0 ? tf.add(grad, tf.mul(p, slot.weightDecay)) : grad;
      const newM = tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1));
      const newV = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
      const denom = tf.add(tf.div(tf.sqrt(newV), Math.sqrt(bc2)), this.eps);
      const newP = tf.sub(p, tf.mul(tf.div(newM, denom), this.lr / bc1));
      m.assign(newM);
      v.assign(newV);
      p.assign(newP);
    });
  }

  /** Copy of the state (moments read back from the backend). */
  state(): AdamState {
    const steps: Record<string, number> = {};
    const m: Record<string, Float32Array> = {};
    const v: Record<string, Float32Array> = {};
    for (const [name, slot] of this.slots) {
      if (slot.step === 0 || slot.m === null || slot.v === null) continue;
      steps[name] = slot.step;
      m[name] = slot.m.dataSync() as Float32Array;
      v[name] = slot.v.dataSync() as Float32Array;
    }
    return { steps, m, v };
  }

  /** Restore a state produced by `state()`; moment shapes must match the parameters. */
  load(state: AdamState): void {
    for (const [name, step] of Object.entries(state.steps)) {
      const slot = this.slots.get(name);
      if (slot === undefined) throw new Error(`optimizer state for unknown parameter "${name}"`);
      const m = state.m[name];
      const v = state.v[name];
      const shape = slot.param.variable.shape;
      const size = slot.param.variable.size;
      if (m === undefined || v === undefined || m.length !== size || v.length !== size) {
        throw new Error(`optimizer state for "${name}" does not match the parameter's shape [${shape.join(', ')}]`);
      }
      slot.m?.dispose();
      slot.v?.dispose();
      slot.m = tf.tidy(() => tf.variable(tf.tensor(m, shape, 'float32'), false));
      slot.v = tf.tidy(() => tf.variable(tf.tensor(v, shape, 'float32'), false));
      slot.step = step;
    }
  }

  /** Largest per-parameter step count (the number of updates made). */
  get stepCount(): number {
    let max = 0;
    for (const slot of this.slots.values()) max = Math.max(max, slot.step);
    return max;
  }

  dispose(): void {
    for (const slot of this.slots.values()) {
      slot.m?.dispose();
      slot.v?.dispose();
      slot.m = null;
      slot.v = null;
    }
  }
}
