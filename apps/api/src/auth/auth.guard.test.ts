/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are untyped JSON here; the assertions check their shape */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createProject, createRun, jobRunToken, startTestApp, type TestApp } from '../testing/test-app';

const point = { key: 'loss', step: 1, value: 1, time: 1 };

void describe('auth', () => {
  let t: TestApp;
  let projectId: string;

  before(async () => {
    t = await startTestApp();
    projectId = await createProject(t, 'auth');
  });
  after(async () => {
    await t.close();
  });

  void it('health is public; everything else needs a valid bearer token', async () => {
    const health = await t.request('GET', '/api/health', undefined, null);
    assert.equal(health.status, 200);
    assert.equal(health.body.status, 'ok');
    assert.equal(health.body.postgres.ok, true);
    assert.equal(health.body.redis.ok, true);
    for (const [method, path] of [
      ['GET', '/api/projects'],
      ['GET', '/api/runs'],
      ['POST', '/api/runs'],
      ['GET', '/api/queue'],
    ] as const) {
      assert.equal((await t.request(method, path, undefined, null)).status, 401, `${method} ${path} without token`);
      const bad = await t.request(method, path, undefined, 'eqk_not-a-real-token');
      assert.equal(bad.status, 401);
      assert.equal(bad.body.error.code, 'unauthorized');
    }
  });

  void it('run tokens write only to their own run and call no admin route', async () => {
    const a = await createRun(t, projectId);
    const b = await createRun(t, projectId);
    const tokenA = await jobRunToken(t, a.id);
    assert.equal((await t.request('POST', `/api/runs/${a.id}/metrics`, { points: [point] }, tokenA)).status, 201);
    for (const path of ['metrics', 'progress', 'start', 'finish', 'artifacts']) {
      const res = await t.request('POST', `/api/runs/${b.id}/${path}`, {}, tokenA);
      assert.equal(res.status, 403, `${path} on another run: ${res.text}`);
      assert.equal(res.body.error.code, 'forbidden');
    }
    assert.equal((await t.request('GET', `/api/runs/${a.id}`, undefined, tokenA)).status, 403);
    assert.equal((await t.request('POST', `/api/runs/${a.id}/cancel`, undefined, tokenA)).status, 403);
    assert.equal((await t.request('POST', '/api/runners', { name: 'x', hostname: 'h', devices: 1, device: 'cpu', backend: 'wasm' }, tokenA)).status, 403);
  });

  void it('runner tokens register and heartbeat, nothing else', async () => {
    const runnerToken = await t.token('runner');
    const reg = await t.request('POST', '/api/runners', { name: 'r', hostname: 'h', devices: 2, device: 'cpu', backend: 'wasm' }, runnerToken);
    assert.equal(reg.status, 201, reg.text);
    assert.equal((await t.request('POST', `/api/runners/${reg.body.id}/heartbeat`, { activeRunIds: [] }, runnerToken)).status, 200);
    assert.equal((await t.request('GET', '/api/runs', undefined, runnerToken)).status, 403);
    const run = await createRun(t, projectId);
    assert.equal((await t.request('POST', `/api/runs/${run.id}/metrics`, { points: [point] }, runnerToken)).status, 403);
  });

  void it('the token CLI prints a working token once, stores only its hash, and rejects bad usage', async () => {
    const cli = join(__dirname, '..', 'cli', 'token.js');
    const env = { ...process.env, DATABASE_URL: t.env.DATABASE_URL };
    const run = promisify(execFile);
    const { stdout } = await run(process.execPath, [cli, 'create', '--name', 'cli test', '--scope', 'runner'], { env });
    const token = stdout.trim();
    assert.match(token, /^eqk_[A-Za-z0-9_-]{43}$/);
    assert.equal((await t.request('POST', '/api/runners', { name: 'cli', hostname: 'h', devices: 1, device: 'cpu', backend: 'wasm' }, token)).status, 201);
    assert.equal((await t.request('GET', '/api/runs', undefined, token)).status, 403, 'runner scope');
    const { PrismaService } = await import('../database/prisma.service');
    const stored = await t.app.get(PrismaService).apiToken.findMany({ where: { name: 'cli test' } });
    assert.ok(stored.length >= 1);
    assert.ok(stored.every((r) => r.hash.length === 64 && !r.hash.includes(token)));
    for (const args of [['create'], ['create', '--name', 'x', '--scope', 'root'], ['frobnicate']]) {
      const failed = await run(process.execPath, [cli, ...args], { env }).then(
        () => null,
        (error: { code?: number; stderr?: string }) => error,
      );
      assert.equal(failed?.code, 2, `token ${args.join(' ')}`);
      assert.match(failed?.stderr ?? '', /usage: token/);
    }
  });

  void it('rate-limits per token with 429', async () => {
    const limited = await startTestAppLimited();
    try {
      const a = await limited.token('admin');
      const b = await limited.token('admin');
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await limited.request('GET', '/api/projects', undefined, a)).status);
      assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
      const limitedBody = await limited.request('GET', '/api/projects', undefined, a);
      assert.equal(limitedBody.body.error.code, 'rate_limited');
      assert.equal((await limited.request('GET', '/api/projects', undefined, b)).status, 200, 'another token has its own budget');
    } finally {
      await limited.close();
    }
  });
});

function startTestAppLimited(): Promise<TestApp> {
  return startTestApp({ RATE_LIMIT_PER_MINUTE: '3' });
}
