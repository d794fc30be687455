import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { createResnet18 } from '../../backbone/resnet18.backbone';
import { ownedVariable } from '../../backbone/batch-norm.layer';
import { assertClose } from '../../ops/tensor-assert';
import { flatten, shapeOf, type Nested } from './golden.assert';

/**
 * Checks one `"kind": "backbone"` golden case (see ../../../../../../shared/golden/README.md) on the current backend:
 * loads the parameters, runs the backbone in training mode and compares the output and the gradients of
 * 0.5·Σ output² (input, stem conv, layer4.1.bn2.gamma) to 1e-3 of the largest entry. Throws an AssertionError on
 * mismatch.
 */
export const backboneCaseImplemented = true;

export const BACKBONE_GOLDEN_TOLERANCE = 1e-3;

interface BackboneCase {
  name: string;
  width_multiplier: number;
  channels: number[];
  input_nhwc: Nested[];
  params: Record<string, Nested[]>;
  expected: Record<string, Nested[]>;
}

function toTensor(a: Nested, what: string): tf.Tensor {
  const shape = shapeOf(a);
  const flat = flatten(a);
  if (flat.length !== shape.reduce((x, y) => x * y, 1)) throw new Error(`${what}: ragged array`);
  return tf.tensor(flat, shape, 'float32');
}

function parse(golden: unknown): BackboneCase {
  const g = golden as Partial<BackboneCase> & { kind?: string };
  if (g === null || typeof g !== 'object' || g.kind !== 'backbone')
    throw new Error('golden: not a "kind": "backbone" case');
  for (const field of ['width_multiplier', 'channels', 'input_nhwc', 'params', 'expected'] as const)
    if (g[field] === undefined) throw new Error(`golden ${g.name ?? '?'}: missing field ${field}`);
  return g as BackboneCase;
}

export function checkBackboneCase(golden: unknown): void {
  const c = parse(golden);
  const net = createResnet18({ widthMultiplier: c.width_multiplier, inputGradient: true });
  const before = tf.memory().numTensors;
  try {
    assert.deepEqual([...net.channels], c.channels, `${c.name}: stage channels`);
    tf.tidy(() => {
      const params: Record<string, tf.Tensor> = {};
      for (const [name, value] of Object.entries(c.params)) params[name] = toTensor(value, `params.${name}`);
      const missing = net.parameters().filter((p) => !(p.name in params));
      assert.deepEqual(
        missing.map((p) => p.name),
        [],
        `${c.name}: parameters missing from the golden case`,
      );
      net.assign(params);
    });
    const x = ownedVariable(toTensor(c.input_nhwc, 'input_nhwc'), true);
    try {
      const byName = new Map(net.parameters().map((p) => [p.name, p.variable]));
      const stem = byName.get('stem.conv') as tf.Variable;
      const gamma = byName.get('layer4.1.bn2.gamma') as tf.Variable;
      let output: Float32Array = new Float32Array();
      const { value, grads } = tf.variableGrads(() => {
        const out = net.apply(x as unknown as tf.Tensor4D, true);
        output = out.dataSync() as Float32Array;
        return tf.mul<tf.Scalar>(tf.sum(tf.square(out)), 0.5);
      }, [x, stem, gamma]);
      const flat = (k: string) => flatten(c.expected[k] as Nested[]);
      try {
        assertClose(output, flat('output'), BACKBONE_GOLDEN_TOLERANCE, `${c.name}: output`);
        assertClose(
          (grads[x.name] as tf.Tensor).dataSync(),
          flat('grad_input_nhwc'),
          BACKBONE_GOLDEN_TOLERANCE,
          `${c.name}: grad_input_nhwc`,
        );
        assertClose(
          (grads[stem.name] as tf.Tensor).dataSync(),
          flat('grad_stem_conv'),
          BACKBONE_GOLDEN_TOLERANCE,
          `${c.name}: grad_stem_conv`,
        );
        assertClose(
          (grads[gamma.name] as tf.Tensor).dataSync(),
          flat('grad_layer4.1.bn2.gamma'),
          BACKBONE_GOLDEN_TOLERANCE,
          `${c.name}: grad_layer4.1.bn2.gamma`,
        );
      } finally {
        tf.dispose(grads);
        value.dispose();
      }
    } finally {
      x.dispose();
    }
    assert.equal(tf.memory().numTensors, before, `${c.name}: the golden check leaked tensors`);
  } finally {
    net.dispose();
  }
}
