import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { r2Score } from '../../metrics/r2.metric';
import { topKAccuracy } from '../../metrics/topk.metric';
import { assertScalarClose, flatten, shapeOf, type Nested } from './golden.assert';

export interface MetricsCase {
  name: 'metrics';
  r2: { output: Nested[]; target: Nested[]; expected: number };
  topk: { logits: Nested[]; labels: number[]; expected_top1: number; expected_top5: number };
}

/** R² (global target mean) and top-1/top-5 accuracy (fractions) against the golden values. */
export function checkMetricsCase(c: MetricsCase): void {
  assert.ok(c.r2 && c.topk, 'metrics case needs r2 and topk');
  tf.tidy(() => {
    const out = tf.tensor(flatten(c.r2.output), shapeOf(c.r2.output));
    const target = tf.tensor(flatten(c.r2.target), shapeOf(c.r2.target));
    assertScalarClose(r2Score(out, target).dataSync()[0] as number, c.r2.expected, 'r2', 1e-5, 1e-6);
    const logits = tf.tensor2d(flatten(c.topk.logits), shapeOf(c.topk.logits) as [number, number]);
    const labels = tf.tensor1d(c.topk.labels, 'int32');
    assertScalarClose(
      topKAccuracy(logits, labels, 1).dataSync()[0] as number,
      c.topk.expected_top1,
      'top-1',
      0,
      1e-6,
    );
    assertScalarClose(
      topKAccuracy(logits, labels, 5).dataSync()[0] as number,
      c.topk.expected_top5,
      'top-5',
      0,
      1e-6,
    );
  });
}
