import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MetricPoint } from '@equilab/contracts';
import { FINAL_WEIGHTS_FILE, Resnet18Backbone, saveFinalWeights } from '@equilab/sie';
import { backboneTensors, findEventLogDirs, readEventRun, readEquilabWeights, readReferenceWeights, scalarsToMetricPoints, writeEventFile, writeReferenceWeights } from '@equilab/interop';
import { methodFromRunName } from './import.command';

const MAIN = path.join(__dirname, 'main.js');

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const childEnv = { ...process.env, EQUILAB_TOKEN: '', ...env };
    execFile(process.execPath, [MAIN, ...args], { timeout: 120_000, env: childEnv }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

function tmp(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'equilab-interop-cli-'));
}

void test('export weights: a run folder → the reference naming, as .pth and as safetensors, loadable back', async () => {
  const dir = tmp();
  const backbone = new Resnet18Backbone({ widthMultiplier: 0.0625, seed: 3 });
  try {
    const runDir = path.join(dir, 'run');
    mkdirSync(runDir);
    saveFinalWeights(path.join(runDir, FINAL_WEIGHTS_FILE), [...backbone.parameters(), ...backbone.buffers()], {});
    const expected = new Map(backboneTensors(backbone).map((t) => [t.name, t.data]));
    for (const format of ['pth-state-dict', 'safetensors-reference']) {
      const out = path.join(dir, `final_weights.${format}`);
      const result = await run(['export', 'weights', runDir, '--format', format, '--out', out]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /bytes \(final weights\)/);
      const read = readReferenceWeights(out);
      assert.equal(read.tensors.length, expected.size);
      for (const t of read.tensors) assert.deepEqual(t.data, expected.get(t.name), t.name);
    }
  } finally {
    backbone.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('export tensorboard: a run folder’s metrics.jsonl → an event file with the same points', async () => {
  const dir = tmp();
  try {
    const points: MetricPoint[] = [
      { key: 'Loss/Total loss', step: 0, value: 72.5, time: 1_700_000_000_000 },
      { key: 'Loss/Total loss', step: 5, value: 31.25, time: 1_700_000_004_250 },
      { key: 'Online eval reprs/R2 representations-equi', step: 5, value: 0.125, time: 1_700_000_004_250 },
    ];
    mkdirSync(path.join(dir, 'run'));
    writeFileSync(path.join(dir, 'run', 'metrics.jsonl'), points.map((p) => JSON.stringify(p)).join('\n') + '\n');
    const result = await run(['export', 'tensorboard', path.join(dir, 'run'), '--out', path.join(dir, 'tb')]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /events\.out\.tfevents\.\d{10}\..*: 3 points/);
    const [logDir] = findEventLogDirs(path.join(dir, 'tb'));
    const back = scalarsToMetricPoints(readEventRun(logDir!).points).points;
    assert.deepEqual(back.sort((a, b) => a.step - b.step || a.key.localeCompare(b.key)), points);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('bad input exits non-zero naming the option', async () => {
  const dir = tmp();
  try {
    mkdirSync(path.join(dir, 'run'));
    const cases: [string[], RegExp][] = [
      [['export', 'weights', path.join(dir, 'run'), '--format', 'onnx', '--out', path.join(dir, 'w')], /--format: expected one of pth-state-dict, safetensors-reference, got 'onnx'/],
      [['export', 'weights', path.join(dir, 'run')], /--out: required/],
      [['export', 'weights', path.join(dir, 'run'), '--out', path.join(dir, 'missing', 'w.pth')], /--out: folder .*missing does not exist/],
      [['export', 'weights', path.join(dir, 'run'), '--out', path.join(dir, 'w.pth')], /neither final_weights\.safetensors nor checkpoint\.safetensors/],
      [['export', 'weights', 'not-a-run', '--out', path.join(dir, 'w.pth')], /RUN: 'not-a-run' is neither a folder nor a run id/],
      [['export', 'tensorboard', path.join(dir, 'run')], /--out: required/],
      [['export', 'tensorboard', path.join(dir, 'run'), '--out', path.join(dir, 'tb')], /RUN: .* has no metrics\.jsonl/],
      [['import', 'tensorboard'], /DIR: required/],
      [['import', 'tensorboard', path.join(dir, 'nope'), '--project', 'p'], /DIR: folder .*nope does not exist/],
      [['import', 'tensorboard', path.join(dir, 'run'), '--project', 'p'], /DIR: no TensorBoard event files/],
    ];
    writeEventFile(path.join(dir, 'tb', 'SIE_seed1'), [{ tag: 'a', step: 0, value: 1, wallTime: 1 }]);
    cases.push(
      [['import', 'tensorboard', path.join(dir, 'tb')], /--project: required/],
      [['import', 'tensorboard', path.join(dir, 'tb'), '--project', 'p'], /--token: required/],
      [['import', 'tensorboard', path.join(dir, 'tb'), '--project', 'p', '--token', 't', '--api-url', 'ftp://x'], /--api-url: expected http\(s\)/],
      [['import', 'tensorboard', path.join(dir, 'tb'), '--project', 'p', '--method', 'a b'], /--method: expected a method name/],
    );
    for (const [args, message] of cases) {
      const result = await run(args);
      assert.notEqual(result.code, 0, args.join(' '));
      assert.match(result.stderr, message, args.join(' '));
    }
    assert.deepEqual(readdirSync(dir).sort(), ['run', 'tb']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('the method of a reference experiment is read from its folder name', () => {
  assert.equal(methodFromRunName('SIE_seed1'), 'SIE');
  assert.equal(methodFromRunName('runs/SIERotColor-lr3'), 'SIERotColor');
  assert.equal(methodFromRunName('VICReg'), 'VICReg');
  assert.equal(methodFromRunName('SIEfoo'), 'imported');
  assert.equal(methodFromRunName('my-experiment'), 'imported');
});

void test('import weights: reference weights become a run folder that equilab eval evaluates; bad input names the option', async () => {
  const dir = tmp();
  const backbone = new Resnet18Backbone({ widthMultiplier: 0.0625, seed: 8 });
  try {
    const data = path.join(dir, 'ds');
    const gen = await run(['data', 'generate', '--out', data, '--classes', '2', '--objects-per-class', '4', '--views', '4', '--size', '32', '--workers', '0']);
    assert.equal(gen.code, 0, gen.stderr);
    const weights = path.join(dir, 'final_weights.pth');
    writeReferenceWeights(backboneTensors(backbone), 'pth-state-dict', weights);
    const config = ['--set', 'width=0.0625', '--set', 'mlp=16-16-16', '--set', 'equi=16', '--set', 'resolution=32', '--set', 'batch_size=3'];
    const imported = await run(['import', 'weights', weights, '--method', 'SIE', '--out', path.join(dir, 'ref'), ...config]);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /105 backbone tensors; evaluate with equilab eval --run-dir/);
    const expected = new Map(backboneTensors(backbone).map((t) => [t.name, t.data]));
    const stored = readEquilabWeights(path.join(dir, 'ref', FINAL_WEIGHTS_FILE));
    assert.equal(stored.length, expected.size);
    for (const t of stored) assert.deepEqual(t.data, expected.get(t.name), t.name);
    const evaluated = await run(['eval', '--kind', 'classification', '--run-dir', path.join(dir, 'ref'), '--data', data, '--backend', 'cpu', '--workers', '0', '--set', 'epochs=1', '--set', 'batch_size=3']);
    assert.equal(evaluated.code, 0, evaluated.stderr);
    const outcome = JSON.parse(evaluated.stdout.trim().split('\n').pop()!) as { kind: string; checkpoint: string; metrics: Record<string, number> };
    assert.equal(outcome.kind, 'classification');
    assert.equal(outcome.checkpoint, 'final');
    assert.ok(Number.isFinite(outcome.metrics['val top-1']), JSON.stringify(outcome.metrics));

    const cases: [string[], RegExp, number][] = [
      [['import', 'weights'], /FILE: required/, 2],
      [['import', 'weights', weights, '--out', path.join(dir, 'a')], /--method: required/, 2],
      [['import', 'weights', weights, '--method', 'SIE'], /--out: required/, 2],
      [['import', 'weights', weights, '--method', 'Nope', '--out', path.join(dir, 'b')], /--method: invalid config for method 'Nope'/, 2],
      [['import', 'weights', weights, '--method', 'SIE', '--out', path.join(dir, 'c'), '--set', 'width=-1'], /--set: invalid config for method 'SIE': width/, 2],
      [['import', 'weights', weights, '--method', 'SIE', '--out', path.join(dir, 'ref')], /--out: .* is not empty/, 2],
      [['import', 'weights', weights, '--method', 'SIE', '--out', path.join(dir, 'd'), '--set', 'width=0.125', '--set', 'equi=16'], /final_weights\.pth: tensor conv1\.weight has shape \[4, 3, 7, 7\], the run's backbone needs \[8, 3, 7, 7\]/, 1],
    ];
    for (const [args, message, code] of cases) {
      const result = await run(args);
      assert.equal(result.code, code, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message, args.join(' '));
    }
  } finally {
    backbone.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});
