import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const MAIN = path.join(__dirname, 'main.js');

function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

void test('equilab data generate + inspect: exit 0, files written, summary printed', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'equilab-cli-data-'));
  try {
    const gen = await run('data', 'generate', '--out', dir, '--classes', '2', '--objects-per-class', '3', '--views', '3', '--size', '16', '--workers', '0', '--json');
    assert.equal(gen.code, 0, gen.stderr);
    const result = JSON.parse(gen.stdout.trim().split('\n').pop() as string) as { images: number; train: number; val: number };
    assert.deepEqual([result.images, result.train, result.val], [18, 4, 2]);
    for (const f of ['train_images.npy', 'train_labels.npy', 'val_images.npy', 'val_labels.npy']) assert.ok(existsSync(path.join(dir, f)), f);
    const inspect = await run('data', 'inspect', dir, '--json');
    assert.equal(inspect.code, 0, inspect.stderr);
    const summary = JSON.parse(inspect.stdout) as { classes: number; objects: number; views: number; resolution: { width: number }; splits: Record<string, { objects: number }> };
    assert.deepEqual([summary.classes, summary.objects, summary.views, summary.resolution.width], [2, 6, 3, 16]);
    assert.deepEqual([summary.splits.train?.objects, summary.splits.val?.objects], [4, 2]);
    const text = await run('data', 'inspect', dir);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /views\s+3 per object/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

void test('equilab data: bad input exits non-zero with one line naming the field or path', async () => {
  const cases: [string[], RegExp][] = [
    [['data', 'generate', '--out', '/tmp/x', '--classes', 'abc'], /--classes/],
    [['data', 'generate', '--out', '/tmp/x', '--size', '8'], /size/],
    [['data', 'generate', '--classes', '2'], /--out/],
    [['data', 'inspect', '/nonexistent/equilab-dataset'], /\/nonexistent\/equilab-dataset/],
  ];
  for (const [args, pattern] of cases) {
    const { code, stderr } = await run(...args);
    assert.notEqual(code, 0, args.join(' '));
    const lines = stderr.trim().split('\n');
    assert.equal(lines.length, 1, `one line for ${args.join(' ')}: ${stderr}`);
    assert.match(lines[0]!, pattern);
  }
});
