import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend/select-backend';
import { assertClose, randomArray } from './tensor-assert';
import { conv2d, type Padding4 } from './conv2d.op';

interface Case {
  readonly x: [number, number, number, number];
  readonly k: [number, number];
  readonly co: number;
  readonly stride: number;
  readonly pad: Padding4;
}

const CASES: Case[] = [
  { x: [2, 9, 9, 3], k: [3, 3], co: 4, stride: 1, pad: [1, 1, 1, 1] },
  { x: [2, 8, 8, 3], k: [3, 3], co: 5, stride: 2, pad: [0, 1, 0, 1] },
  { x: [2, 7, 7, 2], k: [3, 3], co: 3, stride: 2, pad: [1, 1, 1, 1] },
  { x: [2, 16, 16, 3], k: [7, 7], co: 4, stride: 2, pad: [2, 3, 2, 3] },
  { x: [3, 8, 8, 4], k: [1, 1], co: 6, stride: 2, pad: [0, 0, 0, 0] },
  { x: [2, 5, 5, 4], k: [1, 1], co: 3, stride: 1, pad: [0, 0, 0, 0] },
  { x: [2, 6, 7, 2], k: [3, 2], co: 3, stride: 1, pad: [1, 1, 0, 1] },
  { x: [1, 10, 10, 2], k: [3, 3], co: 2, stride: 3, pad: [0, 0, 2, 0] },
];

function name(c: Case): string {
  return `x${c.x.join('x')} k${c.k.join('x')}→${c.co} s${c.stride} pad ${c.pad.join(',')}`;
}

interface Grads {
  y: Float32Array;
  dx: Float32Array;
  dw: Float32Array;
}

function inputs(c: Case, seed: number) {
  const [b, h, w, ci] = c.x;
  const x = tf.tensor4d(randomArray(b * h * w * ci, seed), c.x);
  const wt = tf.tensor4d(randomArray(c.k[0] * c.k[1] * ci * c.co, seed + 1), [c.k[0], c.k[1], ci, c.co]);
  return { x, wt };
}

/** Stock tfjs autodiff of Σ y·r, on the cpu backend. */
function reference(c: Case, seed: number): Grads {
  return tf.tidy(() => {
    const { x, wt } = inputs(c, seed);
    const pad = [[0, 0], [c.pad[0], c.pad[1]], [c.pad[2], c.pad[3]], [0, 0]] as [[number, number], [number, number], [number, number], [number, number]];
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, pad);
    const y = f(x, wt);
    const r = tf.tensor(randomArray(y.size, seed + 2), y.shape);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), r)))([x, wt]) as [tf.Tensor, tf.Tensor];
    return { y: y.dataSync() as Float32Array, dx: dx.dataSync() as Float32Array, dw: dw.dataSync() as Float32Array };
  });
}

function custom(c: Case, seed: number): Grads {
  return tf.tidy(() => {
    const { x, wt } = inputs(c, seed);
    const f = (a: tf.Tensor, b: tf.Tensor) => conv2d(a as tf.Tensor4D, b as tf.Tensor4D, { stride: c.stride, pad: c.pad });
    const y = f(x, wt);
    const r = tf.tensor(randomArray(y.size, seed + 2), y.shape);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), r)))([x, wt]) as [tf.Tensor, tf.Tensor];
    return { y: y.dataSync() as Float32Array, dx: dx.dataSync() as Float32Array, dw: dw.dataSync() as Float32Array };
  });
}

void test('conv2d custom gradients match tfjs autodiff (cpu reference) on cpu and wasm', async () => {
  await selectBackend('cpu');
  const refs = CASES.map((c, i) => reference(c, 100 * i + 1));
  for (const backend of ['cpu', 'wasm'] as const) {
    await selectBackend(backend);
    const before = tf.memory().numTensors;
    CASES.forEach((c, i) => {
      const got = custom(c, 100 * i + 1);
      const ref = refs[i] as Grads;
      assertClose(got.y, ref.y, 3e-5, `${backend} ${name(c)} y`);
      assertClose(got.dx, ref.dx, 3e-5, `${backend} ${name(c)} dx`);
      assertClose(got.dw, ref.dw, 3e-5, `${backend} ${name(c)} dw`);
    });
    assert.equal(tf.memory().numTensors, before, `${backend}: tensors leaked`);
  }
});

void test('conv2d without input gradient gives the filter gradient and refuses dX', async () => {
  await selectBackend('wasm');
  const c = CASES[3] as Case;
  tf.tidy(() => {
    const { x, wt } = inputs(c, 7);
    const loss = (b: tf.Tensor) => tf.sum(tf.square(conv2d(x, b as tf.Tensor4D, { stride: c.stride, pad: c.pad, inputGrad: false })));
    const lossFull = (b: tf.Tensor) => tf.sum(tf.square(conv2d(x, b as tf.Tensor4D, { stride: c.stride, pad: c.pad })));
    const g1 = tf.grad(loss)(wt);
    const g2 = tf.grad(lossFull)(wt);
    assertClose(g1.dataSync(), g2.dataSync(), 1e-6, 'filter gradient');
    assert.throws(() =>
      tf.grad((a: tf.Tensor) => tf.sum(conv2d(a as tf.Tensor4D, wt, { stride: c.stride, pad: c.pad, inputGrad: false })))(x),
    );
  });
});
