import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend/select-backend';
import { assertClose, randomArray } from './tensor-assert';
import { matMulFast } from './matmul.op';

before(async () => {
  await selectBackend('cpu');
});

void test('matMulFast equals tf.matMul with every transpose combination, values and both gradients', () => {
  // shapes chosen so that both the direct and the flipped evaluation are exercised
  const cases: [number, number, number][] = [
    [3, 5, 4],
    [2, 9, 30],
    [40, 3, 2],
  ];
  for (const [m, k, n] of cases)
    for (const ta of [false, true])
      for (const tb of [false, true])
        tf.tidy(() => {
          const a = tf.tensor2d(randomArray(m * k, 1), ta ? [k, m] : [m, k]);
          const b = tf.tensor2d(randomArray(k * n, 2), tb ? [n, k] : [k, n]);
          const w = tf.tensor2d(randomArray(m * n, 3), [m, n]);
          const what = `[${m}, ${k}, ${n}] ta=${ta} tb=${tb}`;
          assertClose(
            matMulFast(a, b, ta, tb).dataSync(),
            tf.matMul(a, b, ta, tb).dataSync(),
            1e-6,
            `${what} value`,
          );
          const loss = (f: typeof matMulFast) => (x: tf.Tensor, y: tf.Tensor) =>
            tf.sum(tf.mul(f(x as tf.Tensor2D, y as tf.Tensor2D, ta, tb), w));
          const [ga, gb] = tf.grads(loss(matMulFast))([a, b]);
          const [ra, rb] = tf.grads(loss((x, y, p, q) => tf.matMul(x, y, p, q)))([a, b]);
          assertClose(ga!.dataSync(), ra!.dataSync(), 1e-6, `${what} d/da`);
          assertClose(gb!.dataSync(), rb!.dataSync(), 1e-6, `${what} d/db`);
        });
});
