import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { systemMetricKeys, type MetricPoint } from '@equilab/contracts';
import type { Backbone, MethodModel, NamedVariable, ObjectiveInputs, ObjectiveOutput } from '../types';
import { OnlineEvaluator } from '../online-evaluation/online.evaluator';
import { TrainingLoop } from './training.loop';
import { Prng } from '@equilab/random';
import { readSafetensors } from './safetensors.format';
import { FINAL_WEIGHTS_FILE } from './checkpoint.store';
import { TrainController, type BatchSource, type CheckpointInfo, type TrainBatch } from './train.types';

void tf.setBackend('cpu');

// Tiny stand-ins for the backbone, a method and the data loader (the real ones have their own tests; the
// end-to-end test of `train()` uses them). They only need to be deterministic and to have BN-like buffers.
let uid = 0;
function variable(shape: number[], seed: number, scale = 0.5): tf.Variable {
  return tf.tidy(() => tf.variable(tf.randomUniform(shape, -scale, scale, 'float32', seed), true, `standin/${uid++}`));
}

class StandInBackbone implements Backbone {
  readonly outDim = 6;
  private readonly w = variable([3, 6], 11);
  private readonly runningMean = tf.variable(tf.zeros([6]), false, `standin/${uid++}`);
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor2D {
    const h = tf.relu(tf.matMul(tf.mean<tf.Tensor2D>(x, [1, 2]), this.w as tf.Tensor2D));
    if (training) {
      const mean = tf.mean(h, 0);
      this.runningMean.assign(tf.add(tf.mul(this.runningMean, 0.9), tf.mul(mean, 0.1)));
    }
    return h as tf.Tensor2D;
  }
  parameters(): NamedVariable[] {
    return [{ name: 'w', variable: this.w }];
  }
  buffers(): NamedVariable[] {
    return [{ name: 'bn.running_mean', variable: this.runningMean }];
  }
  dispose(): void {
    tf.dispose([this.w, this.runningMean]);
  }
}

class StandInMethod implements MethodModel {
  readonly method = 'StandIn';
  readonly latentDim = 4;
  readonly evalDims = { invRepr: 4, equiRepr: 2, invEmb: 3, equiEmb: 2 };
  private readonly p = variable([6, 5], 12);
  private readonly pred = variable([4, 2], 13);
  objective({ hx, hy, z }: ObjectiveInputs): ObjectiveOutput {
    const embX = tf.matMul(hx, this.p);
    const embY = tf.matMul(hy, this.p);
    const inv = tf.mean<tf.Scalar>(tf.squaredDifference(tf.slice(embX, [0, 0], [-1, 3]), tf.slice(embY, [0, 0], [-1, 3])));
    const prediction = tf.add<tf.Tensor2D>(tf.slice(embX, [0, 3], [-1, 2]), tf.matMul(z, this.pred));
    const equi = tf.mean<tf.Scalar>(tf.squaredDifference(prediction, tf.slice(embY, [0, 3], [-1, 2])));
    const std = tf.mean<tf.Scalar>(tf.relu(tf.sub(1, tf.sqrt(tf.add(tf.moments(embX, 0).variance, 1e-4)))));
    return { loss: tf.addN<tf.Scalar>([inv, equi, std]), terms: { repr_loss_inv: inv, repr_loss_equi: equi, std_loss: std }, embX: embX as tf.Tensor2D, embY: embY as tf.Tensor2D, prediction };
  }
  parameters(): NamedVariable[] {
    return [
      { name: 'projector.weight', variable: this.p },
      { name: 'predictor.weight', variable: this.pred },
    ];
  }
  buffers(): NamedVariable[] {
    return [];
  }
  dispose(): void {
    tf.dispose([this.p, this.pred]);
  }
}

class StandInSource implements BatchSource {
  readonly numClasses = 3;
  constructor(readonly stepsPerEpoch: number) {}
  async *batches(epoch: number, startStep: number): AsyncGenerator<TrainBatch> {
    await Promise.resolve();
    for (let step = startStep; step < this.stepsPerEpoch; step++) {
      const seed = 1 + 1000 * epoch + step; // tfjs treats seed 0 as "unseeded"
      const [x1, x2, latents] = tf.tidy(() => [
        tf.randomNormal([4, 2, 2, 3], 0, 1, 'float32', seed).dataSync() as Float32Array,
        tf.randomNormal([4, 2, 2, 3], 0, 1, 'float32', seed + 500).dataSync() as Float32Array,
        tf.randomNormal([4, 4], 0, 1, 'float32', seed + 700).dataSync() as Float32Array,
      ]);
      yield { size: 4, resolution: 2, x1, x2, latents, latentDim: 4, labels: [step % 3, 1, 2, 0] };
    }
  }
  async close(): Promise<void> {}
}

interface RunOptions {
  outDir: string;
  epochs: number;
  resume?: boolean;
  abortAfterSteps?: number;
  checkpointAfterStep?: number;
  metricsEvery?: number;
  onMetrics?: (points: MetricPoint[]) => void;
}

async function runStandIn(options: RunOptions) {
  const backbone = new StandInBackbone();
  const model = new StandInMethod();
  const evaluator = new OnlineEvaluator({ reprDim: 6, embDim: 5, dims: model.evalDims, numClasses: 3, seed: 5 });
  const controller = new AbortController();
  const trainController = new TrainController();
  const checkpoints: { step: number; reason: string }[] = [];
  const artifacts: CheckpointInfo['artifact'][] = [];
  const loop = new TrainingLoop(
    { backbone, model, evaluator, source: new StandInSource(5), rng: new Prng(1) },
    {
      method: 'StandIn',
      config: { batchSize: 4 },
      seed: 1,
      workers: 0,
      epochs: options.epochs,
      lr: 0.01,
      weightDecay: 1e-4,
      outDir: options.outDir,
      resume: options.resume ?? false,
      logEvery: { steps: options.metricsEvery ?? 1, seconds: 3600 },
      signal: controller.signal,
      controller: trainController,
      onMetrics: (points) => {
        options.onMetrics?.(points);
        // Metrics of step s are emitted right after step s: abort there to stop after `abortAfterSteps` steps.
        const step = points[0]?.step ?? -1;
        if (options.abortAfterSteps !== undefined && step + 1 >= options.abortAfterSteps) controller.abort();
        if (step === options.checkpointAfterStep) trainController.requestCheckpoint();
      },
      onCheckpoint: (info) => {
        checkpoints.push({ step: info.step, reason: info.reason });
        artifacts.push(info.artifact);
      },
    },
  );
  const result = await loop.run();
  const weights = [...backbone.parameters(), ...backbone.buffers(), ...model.parameters(), ...evaluator.parameters()].map((p) => Array.from(p.variable.dataSync()));
  loop.dispose();
  backbone.dispose();
  model.dispose();
  evaluator.dispose();
  return { result, weights, checkpoints, artifacts };
}

void test('2 epochs straight = 1 epoch + resume + 1 epoch = cancel mid-epoch + resume (bit-exact weights)', async () => {
  const straightDir = mkdtempSync(path.join(tmpdir(), 'loop-straight-'));
  const straight = await runStandIn({ outDir: straightDir, epochs: 2 });
  assert.equal(straight.result.status, 'completed');
  assert.equal(straight.result.step, 10);
  assert.deepEqual(straight.checkpoints, [
    { step: 5, reason: 'epoch-end' },
    { step: 10, reason: 'epoch-end' },
  ]);
  assert.ok(readdirSync(straightDir).includes(FINAL_WEIGHTS_FILE));
  const final = readSafetensors(path.join(straightDir, FINAL_WEIGHTS_FILE));
  assert.deepEqual([...final.tensors.keys()].sort(), ['bn.running_mean', 'w']);

  const splitDir = mkdtempSync(path.join(tmpdir(), 'loop-split-'));
  const first = await runStandIn({ outDir: splitDir, epochs: 1 });
  assert.equal(first.result.status, 'completed');
  const second = await runStandIn({ outDir: splitDir, epochs: 2, resume: true });
  assert.equal(second.result.step, 10);
  assert.deepEqual(second.weights, straight.weights);

  const cancelDir = mkdtempSync(path.join(tmpdir(), 'loop-cancel-'));
  const seen: MetricPoint[] = [];
  const canceled = await runStandIn({ outDir: cancelDir, epochs: 2, abortAfterSteps: 7, onMetrics: (p) => seen.push(...p) });
  assert.equal(canceled.result.status, 'canceled');
  assert.equal(canceled.result.step, 7);
  assert.deepEqual(canceled.checkpoints.at(-1), { step: 7, reason: 'canceled' });
  const resumed = await runStandIn({ outDir: cancelDir, epochs: 2, resume: true, onMetrics: (p) => seen.push(...p) });
  assert.equal(resumed.result.status, 'completed');
  assert.deepEqual(resumed.weights, straight.weights);
  // One point per step, no gap, no duplicate, across the cancellation.
  const lossSteps = seen.filter((p) => p.key === 'Loss/Total loss').map((p) => p.step);
  assert.deepEqual(lossSteps, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

void test('metrics carry the reference tags; tensor count is flat between step 3 and step 50', async () => {
  const counts = new Map<number, number>();
  const reported = new Map<number, number>();
  const waits: number[] = [];
  let keys: string[] = [];
  await runStandIn({
    outDir: mkdtempSync(path.join(tmpdir(), 'loop-leak-')),
    epochs: 11,
    onMetrics: (points) => {
      const step = points[0]?.step ?? -1;
      counts.set(step, tf.memory().numTensors);
      if (step === 0) keys = points.map((p) => p.key);
      for (const p of points) {
        if (p.key === systemMetricKeys.tfjsTensors) reported.set(step, p.value);
        if (p.key === systemMetricKeys.dataWaitFraction) waits.push(p.value);
      }
    },
  });
  assert.equal(counts.get(3), counts.get(50));
  // The loop's own tfjs reading (taken while the step's tensors are alive) is flat too, and every wait fraction is a fraction.
  assert.equal(reported.get(3), reported.get(50));
  assert.ok(waits.length > 0 && waits.every((w) => w >= 0 && w <= 1), `data wait fractions ${waits.join(', ')}`);
  for (const key of [
    'Loss/Total loss',
    'Loss/Invariance loss',
    'Loss/Equivariance loss',
    'Loss/Std loss',
    'Stats/Corr. representations view1',
    'Stats/Std embeddings view2',
    'Stats/Corr. predictor output',
    'Online eval reprs/Top-1 representations',
    'Online eval embs/R2 embeddings-equi',
    'General/epoch',
    'General/time_elapsed',
    'General/lr',
    systemMetricKeys.dataWaitFraction,
    systemMetricKeys.tfjsMemoryMb,
    systemMetricKeys.tfjsTensors,
  ]) {
    assert.ok(keys.includes(key), key);
  }
});

void test('a requested checkpoint is written at the next step boundary without stopping', async () => {
  const outDir = mkdtempSync(path.join(tmpdir(), 'loop-request-'));
  const run = await runStandIn({ outDir, epochs: 1, checkpointAfterStep: 2 });
  assert.equal(run.result.status, 'completed');
  assert.deepEqual(run.checkpoints, [
    { step: 3, reason: 'requested' },
    { step: 5, reason: 'epoch-end' },
  ]);
  // The artifact describes the file on disk (path relative to outDir, size, sha256).
  const last = run.artifacts.at(-1);
  const file = path.join(outDir, last?.path ?? '');
  assert.equal(last?.kind, 'checkpoint');
  assert.equal(last?.size, statSync(file).size);
  assert.equal(last?.sha256, createHash('sha256').update(readFileSync(file)).digest('hex'));
});
