import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { nearestNeighbours, predictionError, rankingMetrics, ranksWithinObject } from './retrieval.metrics';

void before(async () => {
  await tf.setBackend('cpu');
});

void describe('ranksWithinObject', () => {
  void it('ranks each view among the views of its own object only', () => {
    // Two objects × 3 views, 2-D embeddings. Object 0's bank rows point along x, y and the diagonal; object 1's
    // bank is far away (must never count). Predictions are chosen so the true view ranks 1, 2 and 3.
    const bank = tf.tensor2d([
      [1, 0], [0, 1], [0.7, 0.7],
      [-1, 0], [0, -1], [-0.7, -0.7],
    ]);
    const predictions = tf.tensor2d([
      [1, 0.1], // view 0: sims 1, 0.1, 0.77 → rank 1
      [1, 0.5], // view 1: sims 1, 0.5, 1.05 → true 0.5, ahead: 1 and 1.05 → rank 3
      [1, 0.2], // view 2: sims 1, 0.2, 0.84 → true 0.84, ahead: 1 → rank 2
      [-1, 0], [0, -1], [-0.7, -0.7],
    ]);
    const ranks = ranksWithinObject(predictions, bank, 3, { normalize: false });
    assert.deepEqual(Array.from(ranks), [1, 3, 2, 1, 1, 1]);
    predictions.dispose();
    bank.dispose();
  });

  void it('normalisation changes the ranking the way cosine similarity says', () => {
    const bank = tf.tensor2d([[10, 0], [0, 1]]);
    const predictions = tf.tensor2d([[0.1, 1], [0.1, 1]]);
    // unnormalised: both bank rows score 1 for both predictions (ties count ahead) → rank 2 for both;
    // normalised: bank 1 (cos 0.995) beats bank 0 (cos 0.0995) → row 0 ranks 2, row 1 ranks 1
    assert.deepEqual(Array.from(ranksWithinObject(predictions, bank, 2, { normalize: false })), [2, 2]);
    assert.deepEqual(Array.from(ranksWithinObject(predictions, bank, 2, { normalize: true })), [2, 1]);
    predictions.dispose();
    bank.dispose();
  });

  void it('rejects a bank whose shape differs and a row count that is not a multiple of V', () => {
    const a = tf.zeros<tf.Rank.R2>([4, 2]);
    const b = tf.zeros<tf.Rank.R2>([4, 3]);
    assert.throws(() => ranksWithinObject(a, b, 2, { normalize: false }), /bank shape/);
    assert.throws(() => ranksWithinObject(a, a, 3, { normalize: false }), /multiple of viewsPerObject/);
    a.dispose();
    b.dispose();
  });
});

void describe('rankingMetrics', () => {
  void it('computes MRR and H@k from known ranks', () => {
    const m = rankingMetrics([1, 2, 5, 10, 50]);
    assert.ok(Math.abs(m.MRR - (1 + 1 / 2 + 1 / 5 + 1 / 10 + 1 / 50) / 5) < 1e-12);
    assert.equal(m['H@1'], 1 / 5);
    assert.equal(m['H@2'], 2 / 5);
    assert.equal(m['H@5'], 3 / 5);
    assert.equal(m['H@10'], 4 / 5);
  });

  void it('matches the random-ranking baseline over 50 candidates (spec §9.10)', () => {
    const ranks = Array.from({ length: 50 }, (_, i) => i + 1);
    const m = rankingMetrics(ranks);
    assert.ok(Math.abs(m.MRR - 0.09) < 1e-3);
    assert.equal(m['H@10'], 0.2);
  });
});

void describe('PRE', () => {
  void it('is 0 for perfect retrieval and sin²(θ/2) for a known neighbour', () => {
    const bank = tf.tensor2d([[1, 0], [0, 1], [-1, 0]]);
    const predictions = tf.tensor2d([[0.9, 0.1], [0.1, 0.9], [0.2, 0.8]]);
    const nn = nearestNeighbours(predictions, bank, { normalize: true, chunkRows: 2 });
    assert.deepEqual(Array.from(nn), [0, 1, 1]);
    const theta = Math.PI / 3;
    const identity = [0, 0, 0, 1];
    const rotated = [Math.sin(theta / 2), 0, 0, Math.cos(theta / 2)];
    const poses = Float64Array.from([...identity, ...rotated, ...identity]);
    // rows 0 and 1 retrieve themselves (error 0); row 2 (pose identity) retrieves row 1 (rotated by θ).
    const pre = predictionError(nn, poses);
    assert.ok(Math.abs(pre - Math.sin(theta / 2) ** 2 / 3) < 1e-12);
    assert.equal(predictionError(Int32Array.from([0, 1, 2]), poses), 0);
    predictions.dispose();
    bank.dispose();
  });

  void it('treats q and −q as the same pose', () => {
    const poses = Float64Array.from([0, 0, 0, 1, 0, 0, 0, -1]);
    assert.equal(predictionError(Int32Array.from([1, 0]), poses), 0);
  });

  void it('leaks no tensors', () => {
    const before = tf.memory().numTensors;
    const bank = tf.randomNormal<tf.Rank.R2>([20, 4]);
    nearestNeighbours(bank, bank, { normalize: true, chunkRows: 7 });
    ranksWithinObject(bank, bank, 5, { normalize: true });
    bank.dispose();
    assert.equal(tf.memory().numTensors, before);
  });
});
