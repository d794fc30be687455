import * as tf from '@tensorflow/tfjs-core';
import { Resnet18Backbone } from '@equilab/sie';

/** Width 1/16 (channels 4, 8, 16, 32): the whole architecture in a few thousand parameters. */
export const TINY_WIDTH = 0.0625;

/**
 * A tiny backbone whose every parameter and buffer is random (the default init zeroes each block's second BN γ
 * and has trivial running statistics, which would hide mapping mistakes).
 */
export function randomisedBackbone(seed: number): Resnet18Backbone {
  const backbone = new Resnet18Backbone({ widthMultiplier: TINY_WIDTH, seed });
  const values: Record<string, tf.Tensor> = {};
  let s = seed * 1000;
  for (const { name, variable } of [...backbone.parameters(), ...backbone.buffers()]) {
    s += 1;
    if (name.endsWith('running_var')) values[name] = tf.randomUniform(variable.shape, 0.5, 1.5, 'float32', s);
    else if (name.endsWith('gamma')) values[name] = tf.randomUniform(variable.shape, 0.5, 1.5, 'float32', s);
    else if (name.endsWith('beta') || name.endsWith('running_mean')) values[name] = tf.randomUniform(variable.shape, -0.2, 0.2, 'float32', s);
    else values[name] = tf.randomNormal(variable.shape, 0, Math.sqrt(2 / (variable.shape[0] * variable.shape[1]! * variable.shape[3]!)), 'float32', s);
  }
  backbone.assign(values);
  for (const t of Object.values(values)) t.dispose();
  return backbone;
}

/** Eval-mode output of a backbone on an NHWC batch, as plain data. */
export function backboneOutput(backbone: Resnet18Backbone, input: Float32Array, shape: [number, number, number, number]): Float32Array {
  return tf.tidy(() => backbone.apply(tf.tensor4d(input, shape), false).dataSync() as Float32Array);
}
