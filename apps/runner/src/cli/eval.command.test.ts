import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const MAIN = path.join(__dirname, 'main.js');

function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { timeout: 300_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const TINY = ['--set', 'width=0.0625', '--set', 'mlp=16-16-16', '--set', 'equi=16', '--set', 'batch_size=3', '--set', 'resolution=32', '--set', 'epochs=1'];

void test('equilab eval: rotation probe and retrieval on a tiny SIE run; bad options exit 2 naming the field', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'equilab-cli-eval-'));
  try {
    const data = path.join(dir, 'ds');
    const runDir = path.join(dir, 'run');
    const gen = await run('data', 'generate', '--out', data, '--classes', '2', '--objects-per-class', '4', '--views', '4', '--size', '32', '--workers', '0');
    assert.equal(gen.code, 0, gen.stderr);
    const trained = await run('train', '--method', 'SIE', '--data', data, '--out', runDir, '--backend', 'cpu', '--workers', '0', ...TINY);
    assert.equal(trained.code, 0, trained.stderr);

    const rotation = await run('eval', '--kind', 'rotation', '--run-dir', runDir, '--data', data, '--backend', 'cpu', '--workers', '0', '--set', 'epochs=2', '--set', 'batch_size=3');
    assert.equal(rotation.code, 0, rotation.stderr);
    const outcome = JSON.parse(rotation.stdout.trim().split('\n').pop() as string) as { kind: string; metrics: Record<string, number>; epochs: number };
    assert.equal(outcome.kind, 'rotation');
    assert.equal(outcome.epochs, 2);
    assert.ok(Number.isFinite(outcome.metrics['val_R2']));
    const evalDir = path.join(runDir, 'evaluations', 'rotation-full');
    assert.deepEqual(JSON.parse(readFileSync(path.join(evalDir, 'result.json'), 'utf8')), outcome);
    const lines = readFileSync(path.join(evalDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { key: string; step: number });
    assert.deepEqual(lines.filter((p) => p.key === 'Metrics/val_R2').map((p) => p.step), [2, 4]);

    const retrieval = await run('eval', '--kind', 'retrieval', '--run-dir', runDir, '--data', data, '--backend', 'cpu');
    assert.equal(retrieval.code, 0, retrieval.stderr);
    const r = JSON.parse(retrieval.stdout.trim().split('\n').pop() as string) as { metrics: Record<string, number> };
    for (const key of ['MRR', 'H@1', 'H@5', 'PRE', 'PRE val-all']) assert.ok(Number.isFinite(r.metrics[key]), key);
    assert.ok(existsSync(path.join(data, 'all_latents_val.npy')));

    const cases: [string[], RegExp][] = [
      [['eval', '--run-dir', runDir, '--data', data], /--kind: required/],
      [['eval', '--kind', 'knn', '--run-dir', runDir, '--data', data], /--kind: .*unknown evaluation kind 'knn'/],
      [['eval', '--kind', 'rotation', '--run-dir', data, '--data', data], /--run-dir: .* has no checkpoint\.safetensors/],
      [['eval', '--kind', 'rotation', '--run-dir', runDir, '--data', data, '--set', 'bn_mode=off'], /--set: config\.bn_mode/],
      [['eval', '--kind', 'rotation', '--run-dir', runDir, '--data', '/nonexistent/ds'], /--data: folder/],
    ];
    for (const [args, pattern] of cases) {
      const { code, stderr } = await run(...args);
      assert.equal(code, 2, args.join(' '));
      const errorLines = stderr.trim().split('\n').filter((l) => l.startsWith('equilab eval:'));
      assert.equal(errorLines.length, 1, stderr);
      assert.match(errorLines[0]!, pattern);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
