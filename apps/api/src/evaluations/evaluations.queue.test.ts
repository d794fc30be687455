/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-require-imports -- response bodies are untyped JSON; the data lib is loaded from the monorepo */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createProject, repoRoot, startTestApp, type TestApp } from '../testing/test-app';

const RUNNER = join(repoRoot(), 'apps/runner/dist/main.js');
const DATA = join(repoRoot(), 'libs/data/dist/index.js');
const missing = [RUNNER, DATA].filter((f) => !existsSync(f));

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

// The whole path: API → pretrain queue → runner child (libs/sie train) → run succeeded → suite queued → evaluate
// queue → runner child (libs/sie evaluate) → POST /evaluations/:id/report → the evaluation table.
void describe('evaluation suite through the queue (API + runner)', { skip: missing.length ? `not built: ${missing.join(', ')}` : false }, () => {
  let t: TestApp;
  let runner: ChildProcess | undefined;
  const output: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'equilab-eval-queue-'));
  const dataRoot = join(dir, 'data');
  const prefix = `equilab-test-evalq-${process.pid}`;

  before(async () => {
    const { generateDataset } = require(DATA) as { generateDataset: (o: Record<string, unknown>) => Promise<unknown> };
    await generateDataset({ out: dataRoot, classes: 2, objectsPerClass: 4, views: 4, size: 32, workers: 0, seed: 1 });
    t = await startTestApp({ QUEUE_PREFIX: prefix, DATA_ROOT: dataRoot });
    runner = spawn(process.execPath, [RUNNER], {
      env: {
        ...process.env,
        DATABASE_URL: t.env.DATABASE_URL,
        REDIS_URL: t.env.REDIS_URL,
        QUEUE_PREFIX: prefix,
        API_URL: t.baseUrl,
        API_TOKEN: await t.token('runner'),
        RUNNER_NAME: 'evaluation-queue-test',
        RUNNER_BACKEND: 'cpu',
        RUNNER_DATA_WORKERS: '0',
        RUNNER_HEARTBEAT_MS: '500',
        METRICS_FLUSH_MS: '100',
        ARTIFACT_DIR: join(dir, 'artifacts'),
        WORK_DIR: join(dir, 'work'),
        SPILL_DIR: join(dir, 'spill'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    runner.stdout?.on('data', collect);
    runner.stderr?.on('data', collect);
    await until('the runner to consume its queues', () => Promise.resolve(output.some((l) => l.includes('consuming')) ? true : undefined), 60_000);
  });
  after(async () => {
    if (runner && runner.exitCode === null) {
      const exited = new Promise((resolve) => runner!.once('exit', resolve));
      runner.kill('SIGTERM');
      await exited;
    }
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  void it('a tiny SIE and a VICReg run with a suite end with stored results and a filled table', async () => {
    const projectId = await createProject(t, 'evaluation queue');
    const tiny = { width: 0.0625, mlp: '16-16-16', batch_size: 3, resolution: 32, epochs: 1 };
    const suite = { kinds: ['classification', 'rotation', 'color', 'retrieval'], config: { epochs: 1, batch_size: 3 } };
    const ids: string[] = [];
    for (const [method, config] of [['SIE', { ...tiny, equi: 16 }], ['VICReg', tiny]] as const) {
      const res = await t.request('POST', '/api/runs', { projectId, method, seed: 1, backend: 'cpu', config, evaluations: suite });
      assert.equal(res.status, 201, res.text);
      ids.push(res.body.id);
    }
    const evaluations = await until(
      'every evaluation to finish',
      async () => {
        const lists = await Promise.all(ids.map(async (id) => (await t.request('GET', `/api/runs/${id}/evaluations`)).body.items ?? []));
        const all = lists.flat() as { kind: string; runId: string; status: string; error: string | null; config: Record<string, unknown>; results: { metrics: Record<string, number>; status: string }[] }[];
        const failed = all.find((e) => e.status === 'failed');
        if (failed) throw new Error(`${failed.kind} failed: ${failed.error}\n${output.slice(-30).join('\n')}`);
        // SIE (split): each probe on full, inv and equi + retrieval = 10; VICReg: each probe on full + retrieval = 4.
        return all.length === 14 && all.every((e) => e.status === 'succeeded' || e.status === 'not_applicable') ? all : undefined;
      },
      600_000,
    );
    const of = (runId: string, kind: string, part = 'full') =>
      evaluations.find((e) => e.runId === runId && e.kind === kind && (kind === 'retrieval' || (e.config['part'] ?? 'full') === part))!;
    for (const part of ['full', 'inv', 'equi']) assert.ok(Number.isFinite(of(ids[0]!, 'rotation', part).results[0]!.metrics['val_R2']), `SIE rotation on ${part}`);
    assert.equal(of(ids[1]!, 'retrieval').status, 'not_applicable');
    assert.ok(Number.isFinite(of(ids[0]!, 'retrieval').results[0]!.metrics['MRR']));
    assert.ok(Number.isFinite(of(ids[0]!, 'rotation').results[0]!.metrics['val_R2']));
    const table = await t.request('GET', `/api/evaluations/table?projectId=${projectId}`);
    assert.equal(table.status, 200);
    const sie = table.body.rows.find((r: { method: string }) => r.method === 'SIE');
    for (const key of ['top1', 'rotR2', 'colorR2', 'MRR', 'H@1', 'H@5', 'PRE']) assert.equal(sie.cells[key].n, 1, key);
    const summary = await t.request('GET', `/api/runs/${ids[0]}/metrics/summary`);
    assert.ok(summary.body.metrics.some((m: { key: string }) => m.key === 'eval/rotation/full/Metrics/val_R2'));
  });
});
