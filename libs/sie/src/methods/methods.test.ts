import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import {
  MethodConfigError,
  methodCatalogue,
  methodConfigSchemas,
  methodNames,
  parseMethodRun,
  type MethodName,
} from '@equilab/contracts';
import { selectBackend } from '../backend/select-backend';
import { randomArray } from '../ops/tensor-assert';
import { buildMethod } from './method.registry';
import type { MethodModel } from '../types';

/** A method's model as the trainer builds it: config parsed by contracts, heads seeded by the config's seed. */
function build(name: string, overrides: Record<string, unknown>, reprSize: number): MethodModel {
  const { method, config } = parseMethodRun(name, overrides);
  return buildMethod(method, config, reprSize, config.seed);
}

before(async () => {
  await selectBackend('cpu');
});

const D = 16;
const B = 6;
/** Tiny config every method accepts (keys a method does not take are dropped). */
function tinyConfig(name: MethodName, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const all: Record<string, unknown> = {
    batch_size: B,
    width: D / 512,
    mlp: '12-12',
    equi: 8,
    seed: 1,
    ...extra,
  };
  if (name === 'VICRegPartInv') all['equi'] = 4;
  const keys = new Set(Object.keys(methodConfigSchemas[name].shape));
  return Object.fromEntries(Object.entries(all).filter(([k]) => keys.has(k)));
}

function inputs(latentDim: number, seed = 1): { hx: tf.Tensor2D; hy: tf.Tensor2D; z: tf.Tensor2D } {
  return {
    hx: tf.tensor2d(randomArray(B * D, seed), [B, D]),
    hy: tf.tensor2d(randomArray(B * D, seed + 1), [B, D]),
    z: tf.tensor2d(randomArray(B * latentDim, seed + 2), [B, latentDim]),
  };
}

function checkRuns(model: MethodModel, name: MethodName): void {
  const info = methodCatalogue[name];
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const inp = inputs(info.latentDim);
    const out = model.objective(inp);
    assert.ok(Number.isFinite(out.loss.dataSync()[0]), `${name}: finite loss`);
    assert.deepEqual(Object.keys(out.terms).sort(), [...info.terms].sort(), `${name}: terms`);
    for (const [k, t] of Object.entries(out.terms))
      assert.ok(Number.isFinite(t.dataSync()[0]), `${name}: ${k} finite`);
    const e = model.evalDims;
    assert.equal(out.embX.shape[1], e.invEmb + e.equiEmb, `${name}: embedding width = invEmb + equiEmb`);
    assert.deepEqual(out.embX.shape, out.embY.shape);
    assert.equal(e.invRepr + e.equiRepr, D, `${name}: repr eval dims cover the representation`);
    assert.equal(out.prediction !== undefined, info.hasPredictor, `${name}: prediction`);

    // gradients reach every parameter of the heads and both representations
    const vars = model.parameters().map((p) => p.variable);
    const { grads } = tf.variableGrads(() => model.objective(inp).loss, vars);
    for (const p of model.parameters()) {
      const g = grads[p.variable.name];
      assert.ok(g, `${name}: no gradient for ${p.name}`);
      assert.ok(
        g.dataSync().some((v) => v !== 0),
        `${name}: zero gradient for ${p.name}`,
      );
    }
    const [gx, gy] = tf.grads(
      (a: tf.Tensor, b: tf.Tensor) =>
        model.objective({ hx: a as tf.Tensor2D, hy: b as tf.Tensor2D, z: inp.z }).loss,
    )([inp.hx, inp.hy]);
    assert.ok(
      gx!.dataSync().some((v) => v !== 0) && gy!.dataSync().some((v) => v !== 0),
      `${name}: gradient reaches hx and hy`,
    );
  });
  assert.equal(tf.memory().numTensors, before, `${name}: no tensor leaked`);
}

for (const name of methodNames)
  void test(`${name}: objective runs, returns its terms, gradients reach every parameter`, () => {
    const model = build(name, tinyConfig(name), D);
    try {
      assert.equal(model.method, name);
      assert.equal(model.latentDim, methodCatalogue[name].latentDim);
      const names = model.parameters().map((p) => p.name);
      assert.equal(new Set(names).size, names.length, 'unique parameter names');
      checkRuns(model, name);
    } finally {
      model.dispose();
    }
  });

void test('predictor variants build and train: mlp predictor, deep hypernetwork with biases, hidden layers', () => {
  const variants: [MethodName, Record<string, unknown>][] = [
    ['SIE', { predictor_type: 'mlp', tf_num_layers: 2 }],
    ['SIE', { hypernetwork: 'deep', bias_hypernet: true, bias_pred: true }],
    ['SIEOnlyEqui', { predictor: '8', predictor_relu: true }],
    ['SimCLREquiMod', { predictor_type: 'mlp' }],
    ['VICRegEquiMod', { bias_pred: true }],
  ];
  for (const [name, extra] of variants) {
    const model = build(name, tinyConfig(name, extra), D);
    try {
      checkRuns(model, name);
    } finally {
      model.dispose();
    }
  }
});

void test('SIE split: invariant dims first, projectors scaled by the share (half-to-even), eval dims', () => {
  const model = build('SIE', { batch_size: B, width: D / 512, mlp: '12-12', equi: 4 }, D);
  try {
    const shapes = Object.fromEntries(model.parameters().map((p) => [p.name, p.variable.shape]));
    assert.deepEqual(shapes['projector_inv.0.weight'], [12, 9]);
    assert.deepEqual(shapes['projector_equi.0.weight'], [4, 3]);
    assert.deepEqual(shapes['predictor.hypernet.0.weight'], [4, 9]);
    assert.deepEqual(model.evalDims, { invRepr: 12, equiRepr: 4, invEmb: 9, equiEmb: 3 });
    // only the LAST `equi` dims reach the equivariant projector
    tf.tidy(() => {
      const inp = inputs(4);
      const { grads } = tf.variableGrads(() => model.objective(inp).terms.repr_loss_inv!);
      const pEqui = model.parameters().find((p) => p.name === 'projector_equi.0.weight')!.variable;
      assert.equal(
        grads[pEqui.name],
        undefined,
        'the invariance loss does not depend on the equivariant projector',
      );
      const [gh] = tf.grads(
        (h: tf.Tensor) => model.objective({ ...inp, hx: h as tf.Tensor2D }).terms.repr_loss_equi!,
      )([inp.hx]);
      const g = Array.from(gh!.dataSync());
      // d(equivariance loss)/d hx is zero on the invariant dims [0, 12) and non-zero on the equivariant [12, 16)
      const col = (j: number) => g.filter((_, k) => k % D === j).some((v) => v !== 0);
      assert.ok([0, 5, 11].every((j) => !col(j)) && [12, 15].every(col));
    });
  } finally {
    model.dispose();
  }
});

void test('a RotColor method given a 4-D latent is rejected naming z', () => {
  for (const name of [
    'SIERotColor',
    'SimCLRAugSelfRotColor',
    'SimCLROnlyEquiRotColor',
    'SimCLREquiModRotColor',
  ] as const) {
    const model = build(name, tinyConfig(name), D);
    try {
      tf.tidy(() => assert.throws(() => model.objective(inputs(4)), /z must have shape \[6, 6\]/));
    } finally {
      model.dispose();
    }
  }
});

void test('inputs of the wrong width are rejected naming hx / hy', () => {
  const model = build('VICReg', tinyConfig('VICReg'), D);
  try {
    tf.tidy(() => {
      const inp = inputs(4);
      assert.throws(() => model.objective({ ...inp, hx: tf.zeros([B, D + 1]) }), /hx must have shape/);
      assert.throws(() => model.objective({ ...inp, hy: tf.zeros([B - 1, D]) }), /hy must have the shape/);
    });
  } finally {
    model.dispose();
  }
});

void test('invalid configs are rejected with the field named', () => {
  const issue = (fn: () => unknown): string => {
    try {
      fn();
    } catch (e) {
      assert.ok(e instanceof MethodConfigError, String(e));
      return e.issues.map((i) => i.path.join('.')).join(',');
    }
    return assert.fail('expected a MethodConfigError');
  };
  assert.equal(
    issue(() => build('NoSuchMethod', {}, D)),
    'method',
  );
  assert.equal(
    issue(() => build('SIE', { equi: 512 }, 512)),
    'equi',
  );
  assert.equal(
    issue(() => build('SIE', { mlp: '12-' }, 512)),
    'mlp',
  );
  assert.equal(
    issue(() => build('SimCLR', { sim_coeff: 3 }, 512)),
    'sim_coeff',
  );
  // the representation width given by the backbone is checked too
  assert.throws(() => build('SIE', { width: 1, equi: 256, mlp: '8' }, 128), /equi/);
});

void test('the same seed gives the same heads; another seed differs', () => {
  const a = build('SimCLR', tinyConfig('SimCLR'), D);
  const b = build('SimCLR', tinyConfig('SimCLR'), D);
  const c = build('SimCLR', { ...tinyConfig('SimCLR'), seed: 2 }, D);
  const w = (m: MethodModel) => Array.from(m.parameters()[0]!.variable.dataSync());
  assert.deepEqual(w(a), w(b));
  assert.notDeepEqual(w(a), w(c));
  for (const m of [a, b, c]) m.dispose();
});

void test('SIE at initialisation: the hypernetwork amplifies (‖W(z)x‖ ≈ √(E/12)·‖x‖ for unit z)', () => {
  const E = 192;
  const model = build('SIEOnlyEqui', { batch_size: 32, width: D / 512, mlp: String(E) }, D);
  try {
    tf.tidy(() => {
      const hx = tf.randomNormal<tf.Rank.R2>([32, D], 0, 1, 'float32', 1);
      const zr = tf.randomNormal([32, 4], 0, 1, 'float32', 2);
      const z = tf.div<tf.Tensor2D>(zr, tf.norm(zr, 2, 1, true));
      const out = model.objective({ hx, hy: hx, z });
      const ratio = tf.mean(tf.div(tf.norm(out.prediction!, 2, 1), tf.norm(out.embX, 2, 1))).dataSync()[0]!;
      const want = Math.sqrt(E / 12);
      assert.ok(ratio > 0.7 * want && ratio < 1.3 * want, `ratio ${ratio} vs ${want}`);
    });
  } finally {
    model.dispose();
  }
});
