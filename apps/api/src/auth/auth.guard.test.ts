/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call -- response bodies are untyped JSON here; the assertions check their shape */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadApiEnv } from '../config/api-env';
import { PrismaService } from '../database/prisma.service';
import { DispatchService } from '../queue/dispatch.service';
import { createProject, createRun, evaluationToken, jobRunToken, registerRunner, startTestApp, type TestApp } from '../testing/test-app';

const point = { key: 'loss', step: 1, value: 1, time: 1 };
const runnerBody = { name: 'r', hostname: 'h', devices: 1, device: 'cpu', backend: 'wasm' };
const start = (runnerId: string) => ({ runnerId, attempt: 1, backend: 'wasm', threads: 1, device: 'cpu' });
const cli = join(__dirname, '..', 'cli', 'token.js');
const exec = promisify(execFile);

void describe('auth', () => {
  let t: TestApp;
  let projectId: string;
  let runnerId: string;

  const artifactDir = mkdtempSync(join(tmpdir(), 'equilab-auth-artifacts-'));
  before(async () => {
    t = await startTestApp({ ARTIFACT_DIR: artifactDir });
    projectId = await createProject(t, 'auth');
    runnerId = await registerRunner(t);
  });
  after(async () => {
    await t.close();
    rmSync(artifactDir, { recursive: true, force: true });
  });

  void it('health is public; everything else needs a valid bearer token', async () => {
    const health = await t.request('GET', '/api/health', undefined, null);
    assert.equal(health.status, 200);
    assert.equal(health.body.status, 'ok');
    for (const [method, path] of [
      ['GET', '/api/projects'],
      ['GET', '/api/runs'],
      ['POST', '/api/runs'],
      ['GET', '/api/queue'],
      ['GET', '/api/tokens'],
    ] as const) {
      assert.equal((await t.request(method, path, undefined, null)).status, 401, `${method} ${path} without token`);
      const bad = await t.request(method, path, undefined, 'eqk_not-a-real-token');
      assert.equal(bad.status, 401);
      assert.equal(bad.body.error.code, 'unauthorized');
    }
  });

  void it('user tokens (admin, member) cannot call any runner-protocol route', async () => {
    const run = await createRun(t, projectId);
    const member = await t.token('member', [projectId]);
    for (const token of [t.adminToken, member]) {
      for (const [path, body] of [
        [`/api/runs/${run.id}/start`, start(runnerId)],
        [`/api/runs/${run.id}/progress`, { step: 1 }],
        [`/api/runs/${run.id}/finish`, { status: 'failed' }],
        ['/api/evaluations/00000000-0000-4000-8000-000000000000/report', { status: 'running' }],
        ['/api/runners', runnerBody],
        [`/api/runners/${runnerId}/heartbeat`, { activeRunIds: [] }],
        [`/api/runners/${runnerId}/credentials`, { queue: 'pretrain', jobId: `${run.id}.1` }],
      ] as const) {
        const res = await t.request('POST', path, body, token);
        assert.equal(res.status, 403, `${path}: ${res.text}`);
        assert.equal(res.body.error.code, 'forbidden');
      }
    }
    assert.equal((await t.request('GET', `/api/runs/${run.id}`)).body.status, 'queued', 'nothing changed');
  });

  void it('run tokens write only to their own run and call no user route', async () => {
    const a = await createRun(t, projectId);
    const b = await createRun(t, projectId);
    const tokenA = await jobRunToken(t, a.id);
    assert.equal((await t.request('POST', `/api/runs/${a.id}/start`, start(runnerId), tokenA)).status, 200);
    assert.equal((await t.request('POST', `/api/runs/${a.id}/metrics`, { points: [point] }, tokenA)).status, 201);
    for (const path of ['metrics', 'progress', 'start', 'finish', 'artifacts']) {
      const res = await t.request('POST', `/api/runs/${b.id}/${path}`, {}, tokenA);
      assert.equal(res.status, 403, `${path} on another run: ${res.text}`);
      assert.equal(res.body.error.code, 'forbidden');
    }
    assert.equal((await t.request('GET', `/api/runs/${a.id}`, undefined, tokenA)).status, 403);
    assert.equal((await t.request('POST', `/api/runs/${a.id}/cancel`, undefined, tokenA)).status, 403);
    assert.equal((await t.request('POST', '/api/runners', runnerBody, tokenA)).status, 403);
    assert.equal((await t.request('GET', '/api/tokens', undefined, tokenA)).status, 403);
  });

  void it('no secret in Redis: job payloads hold no token; the runner fetches one for the current attempt only', async () => {
    const run = await createRun(t, projectId);
    const job = await t.app.get(DispatchService).pretrain.getJob(`${run.id}.1`);
    assert.ok(job);
    assert.equal(JSON.stringify(job.data).includes('eqk_'), false);
    assert.equal(Object.hasOwn(job.data as object, 'runToken'), false);
    const stale = await t.request('POST', `/api/runners/${runnerId}/credentials`, { queue: 'pretrain', jobId: `${run.id}.2` }, t.runnerToken);
    assert.equal(stale.status, 409, 'an attempt that is not the current one');
    const bad = await t.request('POST', `/api/runners/${runnerId}/credentials`, { queue: 'pretrain', jobId: 'x.1' }, t.runnerToken);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.issues[0].path, 'jobId');
    const token = await jobRunToken(t, run.id);
    const stored = await t.app.get(PrismaService).apiToken.findMany({ where: { runId: run.id } });
    assert.equal(stored.length, 1);
    assert.equal(stored[0]!.runnerId, runnerId);
    assert.equal(stored[0]!.attempt, 1);
    assert.ok(!stored[0]!.hash.includes(token) && stored[0]!.hash.length === 64);
  });

  void it('a run token is revoked when its attempt ends: finished, canceled (no more metrics), preempted', async () => {
    const finished = await createRun(t, projectId);
    const f = await jobRunToken(t, finished.id);
    assert.equal((await t.request('POST', `/api/runs/${finished.id}/start`, start(runnerId), f)).status, 200);
    assert.equal((await t.request('POST', `/api/runs/${finished.id}/finish`, { status: 'succeeded' }, f)).status, 200);
    const afterFinish = await t.request('POST', `/api/runs/${finished.id}/metrics`, { points: [point] }, f);
    assert.equal(afterFinish.status, 409, afterFinish.text);
    assert.equal(afterFinish.body.error.code, 'illegal_transition');

    const canceled = await createRun(t, projectId);
    const c = await jobRunToken(t, canceled.id);
    assert.equal((await t.request('POST', `/api/runs/${canceled.id}/start`, start(runnerId), c)).status, 200);
    assert.equal((await t.request('POST', `/api/runs/${canceled.id}/metrics`, { points: [point] }, c)).status, 201);
    assert.equal((await t.request('POST', `/api/runs/${canceled.id}/cancel`)).status, 200);
    for (const path of ['metrics', 'progress', 'artifacts']) {
      const res = await t.request('POST', `/api/runs/${canceled.id}/${path}`, path === 'metrics' ? { points: [{ ...point, step: 2 }] } : {}, c);
      assert.equal(res.status, 409, `${path} after cancel: ${res.text}`);
    }
    const series = await t.request('GET', `/api/runs/${canceled.id}/metrics/summary`);
    assert.equal(series.status, 200);
    const revoked = await t.app.get(PrismaService).apiToken.findMany({ where: { runId: canceled.id } });
    assert.ok(revoked.every((r) => r.revokedAt !== null), 'revoked in the database');

    const preempted = await createRun(t, projectId);
    const p1 = await jobRunToken(t, preempted.id);
    assert.equal((await t.request('POST', `/api/runs/${preempted.id}/start`, start(runnerId), p1)).status, 200);
    assert.equal((await t.request('POST', `/api/runs/${preempted.id}/finish`, { status: 'preempted' }, p1)).status, 200);
    assert.equal((await t.request('POST', `/api/runs/${preempted.id}/progress`, { step: 1 }, p1)).status, 409, 'attempt 1 is over');
    const p2 = await jobRunToken(t, preempted.id, 2);
    assert.equal((await t.request('POST', `/api/runs/${preempted.id}/start`, { ...start(runnerId), attempt: 1 }, p2)).status, 200, 'attempt 2 has its own token');
  });

  void it('runner tokens act only for the runners they registered', async () => {
    const other = await t.token('runner');
    const mine = await t.request('POST', '/api/runners', runnerBody, other);
    assert.equal(mine.status, 201);
    assert.equal((await t.request('POST', `/api/runners/${mine.body.id}/heartbeat`, { activeRunIds: [] }, other)).status, 200);
    // Another runner's heartbeat and credentials: not found for this token.
    const hb = await t.request('POST', `/api/runners/${runnerId}/heartbeat`, { activeRunIds: [] }, other);
    assert.equal(hb.status, 404, hb.text);
    const run = await createRun(t, projectId);
    assert.equal((await t.request('POST', `/api/runners/${runnerId}/credentials`, { queue: 'pretrain', jobId: `${run.id}.1` }, other)).status, 404);
    // A run token issued to one runner cannot start the run as another.
    const token = await jobRunToken(t, run.id);
    const res = await t.request('POST', `/api/runs/${run.id}/start`, start(mine.body.id), token);
    assert.equal(res.status, 400);
    assert.equal(res.body.error.issues[0].path, 'runnerId');
    // Runner tokens call no user route.
    assert.equal((await t.request('GET', '/api/runs', undefined, other)).status, 403);
    assert.equal((await t.request('POST', `/api/runs/${run.id}/metrics`, { points: [point] }, other)).status, 403);
  });

  void it('an evaluation is reported only by its own token or the runner it was dispatched to', async () => {
    const run = await createRun(t, projectId);
    const token = await jobRunToken(t, run.id);
    assert.equal((await t.request('POST', `/api/runs/${run.id}/start`, start(runnerId), token)).status, 200);
    assert.equal((await t.request('POST', `/api/runs/${run.id}/finish`, { status: 'succeeded' }, token)).status, 200);
    const a = await t.request('POST', `/api/runs/${run.id}/evaluations`, { kind: 'rotation', config: { epochs: 1 } });
    const b = await t.request('POST', `/api/runs/${run.id}/evaluations`, { kind: 'color', config: { epochs: 1 } });
    assert.equal(a.status, 201, a.text);
    assert.equal(b.status, 201, b.text);
    const otherRunner = await t.token('runner');
    const undispatched = await t.request('POST', `/api/evaluations/${a.body.id}/report`, { status: 'running' }, otherRunner);
    assert.equal(undispatched.status, 404, 'not dispatched to this runner token');
    const tokenA = await evaluationToken(t, a.body.id);
    const tokenB = await evaluationToken(t, b.body.id);
    assert.equal((await t.request('POST', `/api/evaluations/${a.body.id}/report`, { status: 'running' }, tokenB)).status, 403, "another evaluation's token");
    assert.equal((await t.request('POST', `/api/runs/${run.id}/finish`, { status: 'failed' }, tokenA)).status, 403, 'an evaluation token drives no run lifecycle');
    assert.equal((await t.request('POST', `/api/evaluations/${a.body.id}/report`, { status: 'running' }, tokenA)).status, 200);
    assert.equal((await t.request('POST', `/api/evaluations/${b.body.id}/report`, { status: 'running' }, t.runnerToken)).status, 200, 'the runner it was dispatched to');
    assert.equal((await t.request('POST', `/api/evaluations/${a.body.id}/report`, { status: 'failed', error: 'x' }, tokenA)).status, 200);
    assert.equal((await t.request('POST', `/api/evaluations/${a.body.id}/report`, { status: 'running' }, tokenA)).status, 409, 'the attempt is over');
  });

  void it('member tokens reach only their granted projects: everything else is 404, management 403', async () => {
    const other = await createProject(t, 'not granted');
    const member = await t.token('member', [projectId]);
    const mine = await t.request('POST', '/api/runs', { projectId, method: 'VICReg', config: {} }, member);
    assert.equal(mine.status, 201, mine.text);
    const theirs = await createRun(t, other);
    const sweep = await t.request('POST', '/api/sweeps', { projectId: other, name: 's', method: 'VICReg', strategy: 'grid', searchSpace: { base_lr: { distribution: 'choice', values: [1e-3] } }, maxConcurrency: 1 });
    assert.equal(sweep.status, 201, sweep.text);
    for (const [method, path, body] of [
      ['GET', `/api/runs/${theirs.id}`, undefined],
      ['GET', `/api/runs/${theirs.id}/metrics?keys=loss`, undefined],
      ['GET', `/api/runs/${theirs.id}/metrics/summary`, undefined],
      ['GET', `/api/runs/${theirs.id}/metrics/export`, undefined],
      ['GET', `/api/runs/${theirs.id}/artifacts`, undefined],
      ['GET', `/api/runs/${theirs.id}/evaluations`, undefined],
      ['POST', `/api/runs/${theirs.id}/cancel`, undefined],
      ['POST', `/api/runs/${theirs.id}/metrics`, { points: [point] }],
      ['DELETE', `/api/runs/${theirs.id}`, undefined],
      ['GET', `/api/projects/${other}`, undefined],
      ['GET', `/api/runs?projectId=${other}`, undefined],
      ['GET', `/api/sweeps?projectId=${other}`, undefined],
      ['GET', `/api/sweeps/${sweep.body.id}`, undefined],
      ['POST', `/api/sweeps/${sweep.body.id}/cancel`, undefined],
      ['GET', `/api/metrics/compare?runIds=${mine.body.id},${theirs.id}&keys=loss`, undefined],
      ['GET', `/api/evaluations/table?projectId=${other}`, undefined],
      ['POST', '/api/runs', { projectId: other, method: 'VICReg', config: {} }],
    ] as const) {
      const res = await t.request(method, path, body, member);
      assert.equal(res.status, 404, `${method} ${path}: ${res.text}`);
      assert.equal(res.body.error.code, 'not_found');
    }
    // Lists hold the granted projects only.
    const projects = await t.request('GET', '/api/projects', undefined, member);
    assert.deepEqual(projects.body.items.map((p: { id: string }) => p.id), [projectId]);
    const runs = await t.request('GET', '/api/runs?limit=200', undefined, member);
    assert.ok(runs.body.items.length > 0 && runs.body.items.every((r: { projectId: string }) => r.projectId === projectId));
    const sweeps = await t.request('GET', '/api/sweeps', undefined, member);
    assert.ok(sweeps.body.items.every((s: { projectId: string }) => s.projectId === projectId));
    // Its own project works as for an admin.
    assert.equal((await t.request('GET', `/api/runs/${mine.body.id}`, undefined, member)).status, 200);
    assert.equal((await t.request('POST', `/api/runs/${mine.body.id}/cancel`, undefined, member)).status, 200);
    // Management is the admin's.
    for (const [method, path, body] of [
      ['POST', '/api/projects', { name: 'x' }],
      ['DELETE', `/api/projects/${projectId}`, undefined],
      ['GET', '/api/tokens', undefined],
      ['POST', '/api/tokens', { name: 'x', scope: 'admin' }],
      ['DELETE', `/api/runners/${runnerId}`, undefined],
    ] as const) {
      assert.equal((await t.request(method, path, body, member)).status, 403, `${method} ${path}`);
    }
    assert.equal((await t.request('GET', `/api/runs/${theirs.id}`)).body.status, 'queued', 'the other project is untouched');
  });

  void it('members download artifacts, annotate, save views, export and see the queue of their granted projects only', async () => {
    const other = await createProject(t, 'member artifacts: not granted');
    const member = await t.token('member', [projectId]);
    const mine = await createRun(t, projectId);
    const theirs = await createRun(t, other);
    const prisma = t.app.get(PrismaService);
    const artifactOf = async (runId: string): Promise<string> => {
      mkdirSync(join(t.env.ARTIFACT_DIR, 'runs', runId), { recursive: true });
      writeFileSync(join(t.env.ARTIFACT_DIR, 'runs', runId, 'result.json'), '{}');
      const row = await prisma.artifact.create({ data: { runId, kind: 'evaluation', path: `runs/${runId}/result.json`, size: 2n, sha256: 'c'.repeat(64), step: null } });
      return row.id;
    };
    const [myArtifact, theirArtifact] = [await artifactOf(mine.id), await artifactOf(theirs.id)];
    const download = (id: string) => fetch(`${t.baseUrl}/api/artifacts/${id}/content`, { headers: { authorization: `Bearer ${member}` } });
    const own = await download(myArtifact);
    assert.equal(own.status, 200);
    assert.equal(await own.text(), '{}');
    const foreign = await download(theirArtifact);
    assert.equal(foreign.status, 404, 'another project’s artifact is not found');
    assert.equal(((await foreign.json()) as { error: { code: string } }).error.code, 'not_found');
    assert.equal((await t.request('GET', `/api/runs/${mine.id}/artifacts`, undefined, member)).body.items.length, 1);

    assert.equal((await t.request('PATCH', `/api/runs/${mine.id}`, { tags: ['mine'] }, member)).status, 200);
    assert.equal((await t.request('PATCH', `/api/runs/${theirs.id}`, { tags: ['x'] }, member)).status, 404);
    const view = await t.request('POST', `/api/projects/${projectId}/run-views`, { name: `v ${mine.id}`, query: '?status=queued' }, member);
    assert.equal(view.status, 201, view.text);
    assert.equal((await t.request('GET', `/api/projects/${projectId}/run-views`, undefined, member)).status, 200);
    assert.equal((await t.request('DELETE', `/api/projects/${projectId}/run-views/${view.body.id}`, undefined, member)).status, 204);
    for (const [method, path, body] of [
      ['GET', `/api/projects/${other}/run-views`, undefined],
      ['POST', `/api/projects/${other}/run-views`, { name: 'v', query: '' }],
      ['GET', `/api/runs/export?projectId=${other}`, undefined],
    ] as const) {
      assert.equal((await t.request(method, path, body, member)).status, 404, `${method} ${path}`);
    }
    const csv = await fetch(`${t.baseUrl}/api/runs/export?projectId=${projectId}`, { headers: { authorization: `Bearer ${member}` } });
    assert.equal(csv.status, 200);
    assert.match(await csv.text(), new RegExp(mine.id));

    const queue = await t.request('GET', '/api/queue', undefined, member);
    assert.equal(queue.status, 200, queue.text);
    const jobRuns = queue.body.queues.flatMap((q: { jobs: { runId: string }[] }) => q.jobs.map((j) => j.runId));
    assert.ok(jobRuns.includes(mine.id), 'its own run’s waiting job');
    assert.ok(!jobRuns.includes(theirs.id), 'not another project’s');
    const adminQueue = await t.request('GET', '/api/queue');
    assert.ok(adminQueue.body.queues.flatMap((q: { jobs: { runId: string }[] }) => q.jobs.map((j) => j.runId)).includes(theirs.id), 'the admin sees every job');
  });

  void it('tokens over REST: create (shown once), list, grant, rotate, revoke; expired tokens are refused', async () => {
    const created = await t.request('POST', '/api/tokens', { name: 'notebook', scope: 'member', projectIds: [projectId], expiresInDays: 30 });
    assert.equal(created.status, 201, created.text);
    assert.match(created.body.token, /^eqk_/);
    assert.equal(created.body.state, 'active');
    assert.ok(Date.parse(created.body.expiresAt) > Date.now() + 29 * 86_400_000);
    const list = await t.request('GET', '/api/tokens');
    const listed = list.body.items.find((i: { id: string }) => i.id === created.body.id);
    assert.deepEqual(listed.projectIds, [projectId]);
    assert.equal(JSON.stringify(list.body).includes(created.body.token), false, 'never the token itself');
    assert.ok(list.body.items.every((i: { scope: string }) => i.scope !== 'run'));
    for (const [body, field] of [
      [{ name: 'm', scope: 'member' }, 'projectIds'],
      [{ name: 'a', scope: 'admin', projectIds: [projectId] }, 'projectIds'],
      [{ name: 'r', scope: 'run' }, 'scope'],
      [{ name: 'x', scope: 'admin', expiresInDays: -1 }, 'expiresInDays'],
      [{ name: 'x', scope: 'admin', role: 'root' }, ''],
    ] as const) {
      const res = await t.request('POST', '/api/tokens', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      if (field) assert.ok(res.body.error.issues.some((i: { path: string }) => i.path === field), res.text);
    }
    assert.equal((await t.request('POST', '/api/tokens', { name: 'm', scope: 'member', projectIds: ['00000000-0000-4000-8000-000000000000'] })).status, 404);

    const other = await createProject(t, 'granted later');
    assert.equal((await t.request('GET', `/api/projects/${other}`, undefined, created.body.token)).status, 404);
    assert.equal((await t.request('POST', `/api/tokens/${created.body.id}/grants`, { projectId: other })).status, 204);
    assert.equal((await t.request('GET', `/api/projects/${other}`, undefined, created.body.token)).status, 200);

    const rotated = await t.request('POST', `/api/tokens/${created.body.id}/rotate`);
    assert.equal(rotated.status, 201, rotated.text);
    assert.deepEqual(rotated.body.projectIds, [projectId, other].sort());
    assert.equal(rotated.body.expiresAt, created.body.expiresAt);
    assert.equal((await t.request('GET', '/api/projects', undefined, created.body.token)).status, 401, 'the old token is revoked');
    assert.equal((await t.request('GET', '/api/projects', undefined, rotated.body.token)).status, 200);
    assert.equal((await t.request('DELETE', `/api/tokens/${rotated.body.id}`)).status, 204);
    assert.equal((await t.request('GET', '/api/projects', undefined, rotated.body.token)).status, 401);
    assert.equal((await t.request('DELETE', `/api/tokens/${rotated.body.id}`)).status, 404, 'already revoked');

    // A token past its expiry (set in the past before its first use, so no replica has it cached).
    const expiring = await t.request('POST', '/api/tokens', { name: 'short', scope: 'admin', expiresInDays: 1 });
    await t.app.get(PrismaService).apiToken.update({ where: { id: expiring.body.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await t.request('GET', '/api/projects', undefined, expiring.body.token);
    assert.equal(expired.status, 401);
    assert.match(expired.body.error.message, /expired/);
    assert.equal((await t.request('GET', '/api/tokens')).body.items.find((i: { id: string }) => i.id === expiring.body.id).state, 'expired');
  });

  void it('the token CLI creates (printed once, hash stored), lists, grants, rotates and revokes; bad usage exits 2', async () => {
    const env = { ...process.env, DATABASE_URL: t.env.DATABASE_URL };
    const { stdout } = await exec(process.execPath, [cli, 'create', '--name', 'cli test', '--scope', 'runner'], { env });
    const token = stdout.trim();
    assert.match(token, /^eqk_[A-Za-z0-9_-]{43}$/);
    assert.equal((await t.request('POST', '/api/runners', runnerBody, token)).status, 201);
    const stored = await t.app.get(PrismaService).apiToken.findMany({ where: { name: 'cli test' } });
    assert.ok(stored.length >= 1 && stored.every((r) => r.hash.length === 64 && !r.hash.includes(token)));

    const member = await exec(process.execPath, [cli, 'create', '--name', 'cli member', '--scope', 'member', '--project', projectId, '--expires-in-days', '7'], { env });
    const memberToken = member.stdout.trim();
    const id = /token ([0-9a-f-]{36})/.exec(member.stderr)?.[1];
    assert.ok(id, member.stderr);
    assert.equal((await t.request('GET', `/api/projects/${projectId}`, undefined, memberToken)).status, 200);
    const listed = await exec(process.execPath, [cli, 'list'], { env });
    const line = listed.stdout.split('\n').find((l) => l.startsWith(id));
    assert.ok(line && line.includes('member') && line.includes('active') && line.includes(projectId), listed.stdout);
    assert.equal(listed.stdout.includes(memberToken), false);
    const rotated = await exec(process.execPath, [cli, 'rotate', '--id', id], { env });
    assert.equal((await t.request('GET', `/api/projects/${projectId}`, undefined, rotated.stdout.trim())).status, 200);
    const newId = /new member token ([0-9a-f-]{36})/.exec(rotated.stderr)?.[1];
    assert.ok(newId, rotated.stderr);
    await exec(process.execPath, [cli, 'revoke', '--id', newId], { env });
    const after = await t.app.get(PrismaService).apiToken.findUnique({ where: { id: newId } });
    assert.ok(after?.revokedAt);

    for (const args of [
      ['create'],
      ['create', '--name', 'x', '--scope', 'root'],
      ['create', '--name', 'x', '--scope', 'member'],
      ['create', '--name', 'x', '--scope', 'admin', '--project', projectId],
      ['create', '--name', 'x', '--expires-in-days', '0'],
      ['revoke', '--id', 'nope'],
      ['frobnicate'],
    ]) {
      const failed = await exec(process.execPath, [cli, ...args], { env }).then(
        () => null,
        (error: { code?: number; stderr?: string }) => error,
      );
      assert.equal(failed?.code, 2, `token ${args.join(' ')}`);
      assert.match(failed?.stderr ?? '', /usage: token/);
    }
  });

  void it('DELETE a project removes its runs, metrics, artifacts, sweeps, evaluations, grants and run tokens', async () => {
    const doomed = await createProject(t, 'doomed');
    const kept = await createProject(t, 'kept');
    const keptRun = await createRun(t, kept);
    const run = await createRun(t, doomed);
    const token = await jobRunToken(t, run.id);
    assert.equal((await t.request('POST', `/api/runs/${run.id}/start`, start(runnerId), token)).status, 200);
    assert.equal((await t.request('POST', `/api/runs/${run.id}/metrics`, { points: [point] }, token)).status, 201);
    assert.equal((await t.request('POST', `/api/runs/${run.id}/artifacts`, { kind: 'checkpoint', path: 'runs/x/ckpt', size: 1, sha256: 'a'.repeat(64), step: 1 }, token)).status, 201);
    const queued = await createRun(t, doomed);
    const member = await t.token('member', [doomed, kept]);
    assert.equal((await t.request('DELETE', `/api/projects/${doomed}`)).status, 200);
    const prisma = t.app.get(PrismaService);
    assert.equal(await prisma.run.count({ where: { projectId: doomed } }), 0);
    assert.equal(await prisma.artifact.count({ where: { runId: run.id } }), 0);
    assert.equal(await prisma.apiToken.count({ where: { runId: run.id } }), 0);
    assert.equal(await prisma.projectGrant.count({ where: { projectId: doomed } }), 0);
    assert.equal((await t.request('GET', `/api/runs/${run.id}/metrics/summary`)).status, 404);
    assert.equal((await t.request('POST', `/api/runs/${run.id}/metrics`, { points: [point] }, token)).status, 401, 'its run token is gone');
    assert.equal(await t.app.get(DispatchService).pretrain.getJob(`${queued.id}.1`), undefined, 'the waiting job is removed');
    assert.equal((await t.request('GET', `/api/projects/${doomed}`)).status, 404);
    assert.equal((await t.request('DELETE', `/api/projects/${doomed}`)).status, 404);
    assert.equal((await t.request('GET', `/api/runs/${keptRun.id}`, undefined, member)).status, 200, 'other projects untouched');
  });

  void it('DELETE a runner removes it and the credentials issued to it', async () => {
    const runnerToken = await t.token('runner');
    const reg = await t.request('POST', '/api/runners', runnerBody, runnerToken);
    const run = await createRun(t, projectId);
    const cred = await t.request('POST', `/api/runners/${reg.body.id}/credentials`, { queue: 'pretrain', jobId: `${run.id}.1` }, runnerToken);
    assert.equal(cred.status, 200, cred.text);
    assert.equal((await t.request('POST', `/api/runs/${run.id}/start`, start(reg.body.id), cred.body.token)).status, 200);
    assert.equal((await t.request('DELETE', `/api/runners/${reg.body.id}`)).status, 204);
    assert.equal((await t.request('POST', `/api/runs/${run.id}/metrics`, { points: [point] }, cred.body.token)).status, 401);
    assert.equal((await t.request('POST', `/api/runners/${reg.body.id}/heartbeat`, { activeRunIds: [] }, runnerToken)).status, 404);
    assert.equal((await t.request('GET', `/api/runs/${run.id}`)).status, 200, 'its runs stay');
    assert.equal((await t.request('DELETE', `/api/runners/${reg.body.id}`)).status, 404);
  });

  void it('rate-limits per token with 429', async () => {
    const limited = await startTestApp({ RATE_LIMIT_PER_MINUTE: '3' });
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

  void it('rate-limits failed authentication per client with 429; valid tokens are unaffected', async () => {
    const limited = await startTestApp({ AUTH_FAILURES_PER_MINUTE: '3' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await limited.request('GET', '/api/projects', undefined, `eqk_guess-${i}`)).status);
      assert.deepEqual(statuses, [401, 401, 401, 429, 429]);
      assert.equal((await limited.request('GET', '/api/projects', undefined, null)).status, 429, 'missing tokens count too');
      assert.equal((await limited.request('GET', '/api/projects')).status, 200, 'a valid token still works');
    } finally {
      await limited.close();
    }
  });

  void it('CORS: only configured origins are allowed, none by default', async () => {
    const preflight = (baseUrl: string, origin: string) =>
      fetch(`${baseUrl}/api/projects`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    const byDefault = await preflight(t.baseUrl, 'https://evil.example');
    assert.equal(byDefault.headers.get('access-control-allow-origin'), null);
    const get = await fetch(`${t.baseUrl}/api/projects`, { headers: { origin: 'https://evil.example', authorization: `Bearer ${t.adminToken}` } });
    assert.equal(get.headers.get('access-control-allow-origin'), null);
    assert.equal(get.headers.get('access-control-allow-credentials'), null);
    const configured = await startTestApp({ CORS_ORIGINS: 'https://dash.example, http://127.0.0.1:3000' });
    try {
      const ok = await preflight(configured.baseUrl, 'https://dash.example');
      assert.equal(ok.headers.get('access-control-allow-origin'), 'https://dash.example');
      const evil = await preflight(configured.baseUrl, 'https://evil.example');
      assert.equal(evil.headers.get('access-control-allow-origin'), null);
    } finally {
      await configured.close();
    }
    assert.throws(() => loadApiEnv({ CORS_ORIGINS: 'https://dash.example/' }), /CORS_ORIGINS/);
  });
});
