import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateDataset } from '@equilab/data';
import { parseSetOption, resolveTrainCommand, type TrainCommandOptions } from './train.command';

const MAIN = path.join(__dirname, 'main.js');

function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { timeout: 300_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const TINY = ['--set', 'width=0.0625', '--set', 'mlp=16-16-16', '--set', 'equi=16', '--set', 'batch_size=3', '--set', 'resolution=32'];

function options(overrides: Partial<TrainCommandOptions>): TrainCommandOptions {
  return { set: [], backend: 'cpu', workers: '0', metricsEvery: '1', metricsEverySeconds: '30', ...overrides };
}

void test('--set values are read as YAML scalars; malformed ones name --set', () => {
  assert.deepEqual(parseSetOption('epochs=3'), ['epochs', 3]);
  assert.deepEqual(parseSetOption('mlp=64-64-64'), ['mlp', '64-64-64']);
  assert.deepEqual(parseSetOption('bias_pred=true'), ['bias_pred', true]);
  assert.deepEqual(parseSetOption('predictor='), ['predictor', '']);
  assert.throws(() => parseSetOption('epochs'), /--set: expected key=value/);
  assert.throws(() => parseSetOption('=3'), /--set: expected key=value/);
});

void test('bad input is rejected naming the field: method, data dir, option key and value, config file', async () => {
  const data = await mkdtemp(path.join(os.tmpdir(), 'equilab-train-bad-'));
  try {
    writeFileSync(path.join(data, 'train_images.npy'), '');
    assert.throws(() => resolveTrainCommand(options({ method: 'Nope', data, out: data })), /--method: unknown method 'Nope'/);
    assert.throws(() => resolveTrainCommand(options({ data, out: data })), /--method: required/);
    assert.throws(() => resolveTrainCommand(options({ method: 'SIE', data: path.join(data, 'missing'), out: data })), /--data: folder .* does not exist/);
    assert.throws(() => resolveTrainCommand(options({ method: 'SIE', data, out: data, set: ['bogus=1'] })), /bogus/);
    assert.throws(() => resolveTrainCommand(options({ method: 'SIE', data, out: data, set: ['epochs=-2'] })), /epochs/);
    assert.throws(() => resolveTrainCommand(options({ method: 'VICReg', data, out: data, set: ['simclr_temp=0.2'] })), /simclr_temp/);
    assert.throws(() => resolveTrainCommand(options({ method: 'SIE', data, out: data, backend: 'gpu' })), /--backend/);
    assert.throws(() => resolveTrainCommand(options({ method: 'SIE', data, out: data, workers: 'x' })), /--workers/);
    assert.throws(() => resolveTrainCommand(options({ method: 'SIE', data, out: data, config: path.join(data, 'none.yaml') })), /--config: file .* does not exist/);
    const yaml = path.join(data, 'c.yaml');
    writeFileSync(yaml, 'method: VICReg\nepochs: 3\nmlp: 32-32\n');
    const resolved = resolveTrainCommand(options({ data, out: data, config: yaml, set: ['epochs=5'] }));
    assert.equal(resolved.run.method, 'VICReg');
    assert.equal(resolved.run.config.epochs, 5);
    assert.equal(resolved.run.config.mlp, '32-32');
    assert.deepEqual(resolved.logEvery, { steps: 1, seconds: 30 });
    assert.throws(() => resolveTrainCommand(options({ method: 'SIE', data, out: data, metricsEvery: '-1' })), /--metrics-every: /);
    assert.throws(() => resolveTrainCommand(options({ method: 'SIE', data, out: data, metricsEverySeconds: 'soon' })), /--metrics-every-seconds: /);
    // The process exits ≠ 0 with the field on stderr.
    const cli = await run('train', '--method', 'SIE', '--data', data, '--out', data, '--set', 'equi=oops');
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /equi/);
  } finally {
    await rm(data, { recursive: true, force: true });
  }
});

void test('equilab methods lists every method with its defaults (text and --json)', async () => {
  const json = await run('methods', '--json');
  assert.equal(json.code, 0, json.stderr);
  const methods = JSON.parse(json.stdout) as { name: string; defaults: Record<string, unknown>; lossTags: string[] }[];
  const sie = methods.find((m) => m.name === 'SIE');
  assert.equal(sie?.defaults.equi_factor, 0.45);
  assert.ok(sie?.lossTags.includes('Loss/Pred Std loss'));
  assert.ok(methods.some((m) => m.name === 'VICReg'));
  const text = await run('methods');
  assert.equal(text.code, 0);
  assert.match(text.stdout, /^SIE /m);
  assert.match(text.stdout, /base_lr=0\.001/);
});

void test('equilab train: writes config.json, metrics.jsonl, checkpoint, final weights; a second call resumes', async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'equilab-train-'));
  try {
    const data = path.join(root, 'data');
    await generateDataset({ out: data, classes: 2, objectsPerClass: 4, views: 3, size: 32, seed: 3, workers: 0 });
    const out = path.join(root, 'out');
    const first = await run('train', '--method', 'SIE', '--data', data, '--out', out, '--backend', 'cpu', '--workers', '0', '--metrics-every', '1', ...TINY, '--set', 'epochs=1');
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /completed 2 steps/);
    assert.match(first.stdout, /Online eval reprs\/R2 representations-equi = /);
    const config = JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')) as { method: string; config: Record<string, unknown> };
    assert.equal(config.method, 'SIE');
    assert.equal(config.config.equi_factor, 0.45);
    for (const f of ['checkpoint.safetensors', 'final_weights.safetensors']) assert.ok(existsSync(path.join(out, f)), f);
    const second = await run('train', '--method', 'SIE', '--data', data, '--out', out, '--backend', 'cpu', '--workers', '1', '--metrics-every', '1', ...TINY, '--set', 'epochs=2');
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /resuming from/);
    const points = readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { key: string; step: number });
    assert.deepEqual(points.filter((p) => p.key === 'Loss/Total loss').map((p) => p.step), [0, 1, 2, 3]);
    // Resuming with another config is refused, naming the option.
    const other = await run('train', '--method', 'SIE', '--data', data, '--out', out, '--backend', 'cpu', ...TINY, '--set', 'epochs=3', '--set', 'sim_coeff=5');
    assert.notEqual(other.code, 0);
    assert.match(other.stderr, /sim_coeff/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
