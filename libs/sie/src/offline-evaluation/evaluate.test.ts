import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { generateDataset } from '@equilab/data';
import { evaluationOutcomeSchema, parseMethodRun, type MetricPoint } from '@equilab/contracts';
import { train } from '../train/train';
import { readSafetensors } from '../train/safetensors.format';
import { CHECKPOINT_FILE } from '../train/checkpoint.store';
import { evaluate, EVALUATION_RESULT_FILE, type EvaluateOptions } from './evaluate';
import { PROBE_CHECKPOINT_FILE } from './probe.evaluation';
import { viewLatentsFile } from './view-latents.cache';

// Tiny backbone (width 1/16 → D = 32), 32 px, 2 classes × 4 objects × 4 views.
const TINY = { width: 0.0625, mlp: '16-16-16', equi: 16, batch_size: 3, resolution: 32, seed: 4, epochs: 1 };
let dataRoot = '';
let sieRun = '';
let vicregRun = '';

before(async () => {
  dataRoot = path.join(mkdtempSync(path.join(tmpdir(), 'sie-eval-data-')), 'ds');
  await generateDataset({ out: dataRoot, classes: 2, objectsPerClass: 4, views: 4, size: 32, seed: 9, workers: 0 });
  const pretrain = async (method: string, config: Record<string, unknown>): Promise<string> => {
    const outDir = mkdtempSync(path.join(tmpdir(), `sie-eval-${method}-`));
    const result = await train({ run: parseMethodRun(method, config), dataRoot, outDir, backend: 'cpu', seed: 4, workers: 0, logEvery: { steps: 0, seconds: 3600 }, resume: false });
    assert.equal(result.status, 'completed');
    return outDir;
  };
  sieRun = await pretrain('SIE', TINY);
  const { equi: _equi, ...vicreg } = TINY;
  vicregRun = await pretrain('VICReg', vicreg);
});

function options(outDir: string, kind: string, config: Record<string, unknown>, extra: Partial<EvaluateOptions> = {}): EvaluateOptions {
  return { kind, config, dataRoot, outDir, evalDir: mkdtempSync(path.join(tmpdir(), 'sie-eval-out-')), backend: 'cpu', seed: 3, workers: 0, ...extra };
}

function tensorsOf(file: string): Map<string, number[]> {
  return new Map([...readSafetensors(file).tensors].map(([name, t]) => [name, Array.from(t.data)]));
}

void test('classification probe: streams the reference keys per epoch, writes result.json, no tensor leak', async () => {
  const points: MetricPoint[] = [];
  const before = tf.memory().numTensors;
  const result = await evaluate(options(sieRun, 'classification', { epochs: 2, batch_size: 3, log_every: 1 }, { onMetrics: (p) => points.push(...p) }));
  assert.equal(tf.memory().numTensors, before);
  assert.equal(result.status, 'completed');
  const outcome = evaluationOutcomeSchema.parse(JSON.parse(readFileSync(path.join(result.evalDir, EVALUATION_RESULT_FILE), 'utf8')));
  assert.deepEqual(outcome, result.outcome);
  assert.equal(outcome.kind, 'classification');
  assert.equal(outcome.part, 'full');
  assert.equal(outcome.checkpoint, 'final');
  assert.equal(outcome.epochs, 2);
  const top1 = outcome.metrics['val top-1']!;
  // 2 val objects: top-1 is 0, 0.5 or 1; top-5 over 2 classes is always 1.
  assert.ok([0, 0.5, 1].includes(top1), `top-1 ${top1}`);
  assert.equal(outcome.metrics['val top-5'], 1);
  const valKeys = points.filter((p) => p.key === 'Metrics/val top-1');
  assert.deepEqual(valKeys.map((p) => p.step), [2, 4]); // 6 train objects / batch 3 = 2 steps per epoch
  assert.ok(points.some((p) => p.key === 'Metrics/train top-1'));
  assert.ok(points.some((p) => p.key === 'Loss/loss' && Number.isFinite(p.value)));
  assert.ok(points.some((p) => p.key === 'General/lr' && p.value === 1e-3));
});

void test('rotation and colour probes: deep-end head, R² of spec §5, inv/equi parts, run-series prefix with an evaluation id', async () => {
  for (const kind of ['rotation', 'color'] as const) {
    const points: MetricPoint[] = [];
    const result = await evaluate(options(sieRun, kind, { epochs: 1, batch_size: 3 }, { evaluationId: 'e1', onMetrics: (p) => points.push(...p) }));
    const outcome = result.outcome!;
    assert.ok(Number.isFinite(outcome.metrics['val_R2']) && outcome.metrics['val_R2']! <= 1, kind);
    assert.ok(outcome.metrics['val_MSE']! >= 0);
    assert.ok(points.some((p) => p.key === `eval/${kind}/full/Metrics/val_R2`), kind);
    // Head = Linear(64→64)→ReLU→Linear(64→64)→ReLU→Linear(64→out): hidden 2·D at D = 32.
    const head = tensorsOf(path.join(result.evalDir, PROBE_CHECKPOINT_FILE));
    assert.equal(head.get('head.head.0.weight')?.length, 64 * 64);
    assert.equal(head.get('head.head.4.weight')?.length, 64 * (kind === 'rotation' ? 4 : 2));
  }
  const equi = await evaluate(options(sieRun, 'rotation', { epochs: 1, batch_size: 3, part: 'equi', head: 'linear' }));
  assert.equal(equi.outcome?.part, 'equi');
  const head = tensorsOf(path.join(equi.evalDir, PROBE_CHECKPOINT_FILE));
  assert.equal(head.get('head.head.0.weight')?.length, 2 * 16 * 4); // concat of two 16-dim equi parts → 4
  const inv = await evaluate(options(sieRun, 'classification', { epochs: 1, batch_size: 3, part: 'inv' }));
  assert.equal(tensorsOf(path.join(inv.evalDir, PROBE_CHECKPOINT_FILE)).get('head.head.0.weight')?.length, 16 * 2);
  await assert.rejects(evaluate(options(vicregRun, 'classification', { part: 'inv' })), /config\.equi_dims: required/);
});

void test('bn_mode: faithful lets the frozen backbone running stats drift (checkpointed), frozen keeps them', async () => {
  const run = tensorsOf(path.join(sieRun, CHECKPOINT_FILE));
  const stat = 'backbone.stem.bn.running_mean';
  for (const bn_mode of ['faithful', 'frozen'] as const) {
    const result = await evaluate(options(sieRun, 'classification', { epochs: 1, batch_size: 3, bn_mode }));
    const probe = tensorsOf(path.join(result.evalDir, PROBE_CHECKPOINT_FILE));
    if (bn_mode === 'frozen') assert.deepEqual(probe.get(stat), run.get(stat));
    else assert.notDeepEqual(probe.get(stat), run.get(stat));
  }
});

void test('an interrupted evaluation resumes from its per-epoch checkpoint to the same result as a straight one', async () => {
  const config = { epochs: 3, batch_size: 3, log_every: 1 };
  const straight = await evaluate(options(sieRun, 'rotation', config));
  const evalDir = mkdtempSync(path.join(tmpdir(), 'sie-eval-resume-'));
  const controller = new AbortController();
  const interrupted = await evaluate(
    options(sieRun, 'rotation', config, {
      evalDir,
      signal: controller.signal,
      onMetrics: (points) => {
        if (points.some((p) => p.step === 3)) controller.abort(); // in the middle of epoch 1
      },
    }),
  );
  assert.equal(interrupted.status, 'canceled');
  assert.equal(interrupted.outcome, null);
  assert.deepEqual(interrupted.files, [path.relative(sieRun, path.join(evalDir, PROBE_CHECKPOINT_FILE))]);
  assert.equal(existsSync(path.join(evalDir, EVALUATION_RESULT_FILE)), false);
  const seen: number[] = [];
  const resumed = await evaluate(options(sieRun, 'rotation', config, { evalDir, onMetrics: (p) => seen.push(...p.map((x) => x.step)) }));
  assert.equal(resumed.status, 'completed');
  assert.deepEqual(resumed.files.map((f) => path.basename(f)), [PROBE_CHECKPOINT_FILE, EVALUATION_RESULT_FILE]);
  assert.ok(Math.min(...seen) > 2, 'resumed after the finished epoch 0 (steps 1–2)');
  assert.deepEqual(resumed.outcome, straight.outcome);
  assert.deepEqual(tensorsOf(path.join(evalDir, PROBE_CHECKPOINT_FILE)), tensorsOf(path.join(straight.evalDir, PROBE_CHECKPOINT_FILE)));
  await assert.rejects(evaluate(options(sieRun, 'rotation', { ...config, lr: 0.01 }, { evalDir })), /resume: .* holds another evaluation/);
});

void test('retrieval: MRR/H@k/PRE of the SIE predictor with cached view latents; VICReg is not applicable', async () => {
  const result = await evaluate(options(sieRun, 'retrieval', { splits: ['val', 'train'] }));
  const m = result.outcome!.metrics;
  assert.equal(result.outcome!.status, 'succeeded');
  assert.equal(result.outcome!.part, 'equi');
  for (const suffix of ['', ' train']) {
    // 4 views per object: rank ∈ 1..4, so MRR ≥ 1/4 and H@5 = H@10 = 1.
    assert.ok(m[`MRR${suffix}`]! >= 0.25 && m[`MRR${suffix}`]! <= 1);
    assert.ok(m[`H@1${suffix}`]! <= m[`H@2${suffix}`]! && m[`H@2${suffix}`]! <= m[`H@5${suffix}`]!);
    assert.equal(m[`H@5${suffix}`], 1);
    assert.ok(m[`PRE${suffix}`]! >= 0 && m[`PRE${suffix}`]! <= 1);
  }
  assert.ok(m['PRE val-all']! >= 0 && m['PRE val-all']! <= 1);
  assert.ok(existsSync(path.join(dataRoot, viewLatentsFile('val'))));
  assert.ok(existsSync(path.join(dataRoot, viewLatentsFile('train'))));
  const again = await evaluate(options(sieRun, 'retrieval', { splits: ['val', 'train'] }));
  assert.deepEqual(again.outcome, result.outcome); // same numbers from the cached latents

  const vicreg = await evaluate(options(vicregRun, 'retrieval', {}));
  assert.equal(vicreg.status, 'completed');
  assert.equal(vicreg.outcome?.status, 'not_applicable');
  assert.deepEqual(vicreg.outcome?.metrics, {});
  assert.match(vicreg.outcome?.reason ?? '', /VICReg has no equivariant projector/);
});

void test('bad kind, config field or run folder: errors name the field', async () => {
  await assert.rejects(evaluate(options(sieRun, 'knn', {})), /^EvaluationConfigError: kind: unknown evaluation kind 'knn'/);
  await assert.rejects(evaluate(options(sieRun, 'rotation', { epochs: 0 })), /config\.epochs/);
  await assert.rejects(evaluate(options(sieRun, 'rotation', { bogus: 1 })), /config\.bogus/);
  await assert.rejects(evaluate(options(dataRoot, 'rotation', {})), /run-dir: no checkpoint\.safetensors/);
});
