import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import {
  isMethodName,
  methodOptionKeys,
  methodOptionsSchema,
  type MethodName,
  type MethodOptions,
} from '@equilab/contracts';
import { buildMethod } from '../../methods/method.registry';
import type { MethodModel } from '../../types';
import { assertArrayClose, assertScalarClose, flatten, shapeOf, type Nested } from './golden.assert';

type GoldenLayer =
  | { kind: 'linear'; weight: Nested[]; bias: number[] | null }
  | { kind: 'batchnorm'; gamma: number[]; beta: number[]; eps: number }
  | { kind: 'relu' };

export interface MethodCase {
  name: string;
  method: string;
  config: Record<string, unknown> & { repr_size: number };
  inputs: { x_rep: Nested[]; y_rep: Nested[]; z: Nested[] };
  params: Record<string, GoldenLayer[]>;
  expected: Record<string, number | Nested[]>;
}

/** Golden head name → checkpoint prefix of our heads. */
const HEAD_PREFIX: Record<string, string> = {
  projector: 'projector',
  projector_inv: 'projector_inv',
  projector_equi: 'projector_equi',
  hypernet: 'predictor.hypernet',
  augself_head: 'augself_head',
};

/**
 * The options of a case's method, as the heads and the objective take them: the case's fields that are options
 * of the method, each validated by its own schema (defaults for the rest). No backbone is involved — the case's
 * representations go straight into the heads — so `repr_size` may be any width (the training config's rule
 * "64·width is an integer" is not applied).
 */
export function caseOptions(c: MethodCase): { method: MethodName; options: MethodOptions } {
  assert.ok(isMethodName(c.method), `${c.name}: unknown method '${c.method}'`);
  const keys = new Set<string>(methodOptionKeys[c.method]);
  const picked = Object.fromEntries(Object.entries(c.config).filter(([k]) => keys.has(k)));
  return { method: c.method, options: methodOptionsSchema.parse(picked) };
}

/** Copies the golden parameters into the model; every parameter of the model must receive a value. */
export function loadGoldenParams(model: MethodModel, params: MethodCase['params'], what: string): void {
  const byName = new Map(model.parameters().map((p) => [p.name, p.variable]));
  const loaded = new Set<string>();
  const set = (name: string, value: Nested): void => {
    const v = byName.get(name);
    assert.ok(v, `${what}: the model has no parameter ${name} (has ${[...byName.keys()].join(', ')})`);
    assert.deepEqual(v.shape, shapeOf(value), `${what}: shape of ${name}`);
    v.assign(tf.tensor(flatten(value), v.shape, 'float32'));
    loaded.add(name);
  };
  for (const [head, layers] of Object.entries(params)) {
    const prefix = HEAD_PREFIX[head];
    assert.ok(prefix, `${what}: unknown head '${head}' in params`);
    layers.forEach((layer, i) => {
      const name = `${prefix}.${i}`;
      switch (layer.kind) {
        case 'linear':
          set(`${name}.weight`, layer.weight);
          if (layer.bias) set(`${name}.bias`, layer.bias);
          else assert.ok(!byName.has(`${name}.bias`), `${what}: ${name} must have no bias`);
          break;
        case 'batchnorm':
          assert.equal(layer.eps, 1e-5, `${what}: ${name} eps`);
          set(`${name}.gamma`, layer.gamma);
          set(`${name}.beta`, layer.beta);
          break;
        case 'relu':
          assert.ok(
            ![...byName.keys()].some((n) => n.startsWith(`${name}.`)),
            `${what}: ${name} must be a ReLU`,
          );
          break;
        default:
          assert.fail(`${what}: unknown layer kind in ${head}[${i}]`);
      }
    });
  }
  const missing = [...byName.keys()].filter((n) => !loaded.has(n));
  assert.deepEqual(missing, [], `${what}: parameters without golden values`);
}

/**
 * Checks one method golden case on the current backend: every expected loss term to 1e-4 relative (1e-6 absolute)
 * and d loss / d x_rep, d y_rep to 1e-3 of their largest entry. Throws an AssertionError on mismatch.
 */
export function checkMethodCase(c: MethodCase): void {
  const what = `${c.name} (${c.method})`;
  const { method, options } = caseOptions(c);
  const model = buildMethod(method, options, c.config.repr_size, 1);
  try {
    loadGoldenParams(model, c.params, what);
    tf.tidy(() => {
      const x = tf.tensor2d(flatten(c.inputs.x_rep), shapeOf(c.inputs.x_rep) as [number, number]);
      const y = tf.tensor2d(flatten(c.inputs.y_rep), shapeOf(c.inputs.y_rep) as [number, number]);
      const z = tf.tensor2d(flatten(c.inputs.z), shapeOf(c.inputs.z) as [number, number]);
      const out = model.objective({ hx: x, hy: y, z });
      const values: Record<string, tf.Scalar | undefined> = { loss: out.loss, ...out.terms };
      for (const [key, want] of Object.entries(c.expected)) {
        if (key.startsWith('grad_')) continue;
        const got = values[key];
        assert.ok(got, `${what}: the objective returns no '${key}' (has ${Object.keys(values).join(', ')})`);
        assertScalarClose(got.dataSync()[0] as number, want as number, `${what} ${key}`);
      }
      const [gx, gy] = tf.grads(
        (a: tf.Tensor, b: tf.Tensor) =>
          model.objective({ hx: a as tf.Tensor2D, hy: b as tf.Tensor2D, z }).loss,
      )([x, y]);
      assert.ok(gx && gy);
      assertArrayClose(gx.dataSync(), flatten(c.expected['grad_x_rep'] as Nested[]), `${what} grad_x_rep`);
      assertArrayClose(gy.dataSync(), flatten(c.expected['grad_y_rep'] as Nested[]), `${what} grad_y_rep`);
    });
  } finally {
    model.dispose();
  }
}
