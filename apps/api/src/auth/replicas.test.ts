import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { createProject, startTestApp, type TestApp } from '../testing/test-app';
import { TokensService } from './tokens.service';

const exec = promisify(execFile);
const cli = join(__dirname, '..', 'cli', 'token.js');

/** Two API replicas on one PostgreSQL and one Redis, as behind a load balancer. */
void describe('two API replicas', () => {
  const prefix = `equilab-test-replicas-${randomUUID().slice(0, 8)}`;
  let a: TestApp;
  let b: TestApp;
  let projectId: string;

  before(async () => {
    a = await startTestApp({ QUEUE_PREFIX: prefix });
    b = await startTestApp({ QUEUE_PREFIX: prefix });
    projectId = await createProject(a, 'replicas');
  });
  after(async () => {
    await b.close();
    await a.close();
  });

  /** Resolves when `replica` dropped its token cache (the Redis message arrived); register before acting. */
  const invalidatedOn = (replica: TestApp): Promise<unknown> => once(replica.app.get(TokensService).events, 'invalidated');
  const member = async (projectIds: string[]) => a.app.get(TokensService).createUser({ name: 'replica member', scope: 'member', projectIds });

  void it('a revocation on replica A stops the token on replica B at once, though B had it cached', async () => {
    const token = await member([projectId]);
    assert.equal((await b.request('GET', '/api/projects', undefined, token.token)).status, 200, 'B resolved and cached it');
    const seen = invalidatedOn(b);
    assert.equal((await a.request('DELETE', `/api/tokens/${token.id}`)).status, 204);
    await seen;
    const res = await b.request('GET', '/api/projects', undefined, token.token);
    assert.equal(res.status, 401, res.text);
    assert.match(res.text, /revoked token/);
  });

  void it('a rotation on B stops the old token on A; a grant on A opens the project on B', async () => {
    const token = await member([projectId]);
    assert.equal((await a.request('GET', '/api/projects', undefined, token.token)).status, 200);
    const rotatedSeen = invalidatedOn(a);
    const rotated = await b.request('POST', `/api/tokens/${token.id}/rotate`);
    assert.equal(rotated.status, 201, rotated.text);
    await rotatedSeen;
    assert.equal((await a.request('GET', '/api/projects', undefined, token.token)).status, 401, 'the old token');
    const fresh = rotated.body as { id: string; token: string };
    const other = await createProject(a, 'replicas: granted later');
    assert.equal((await b.request('GET', `/api/projects/${other}`, undefined, fresh.token)).status, 404, 'not granted yet (and cached so on B)');
    const grantSeen = invalidatedOn(b);
    assert.equal((await a.request('POST', `/api/tokens/${fresh.id}/grants`, { projectId: other })).status, 204);
    await grantSeen;
    assert.equal((await b.request('GET', `/api/projects/${other}`, undefined, fresh.token)).status, 200, 'granted on A, effective on B');
  });

  void it('the token CLI reaches every replica too', async () => {
    const token = await member([projectId]);
    assert.equal((await a.request('GET', '/api/projects', undefined, token.token)).status, 200);
    assert.equal((await b.request('GET', '/api/projects', undefined, token.token)).status, 200);
    const seen = Promise.all([invalidatedOn(a), invalidatedOn(b)]);
    await exec(process.execPath, [cli, 'revoke', '--id', token.id], { env: { ...process.env, DATABASE_URL: a.env.DATABASE_URL, REDIS_URL: a.env.REDIS_URL } });
    await seen;
    assert.equal((await a.request('GET', '/api/projects', undefined, token.token)).status, 401);
    assert.equal((await b.request('GET', '/api/projects', undefined, token.token)).status, 401);
  });

  void it('failed authentications count across replicas: the budget spent on A answers 429 on B', async () => {
    // A pair of its own (the revoked tokens above counted as failures of this IP on the first pair).
    const shared = { QUEUE_PREFIX: `equilab-test-limits-${randomUUID().slice(0, 8)}`, AUTH_FAILURES_PER_MINUTE: '4' };
    const c = await startTestApp(shared);
    const d = await startTestApp(shared);
    try {
      const bad = 'eqk_not-a-real-token';
      for (let i = 0; i < 2; i += 1) assert.equal((await c.request('GET', '/api/projects', undefined, bad)).status, 401);
      for (let i = 0; i < 2; i += 1) assert.equal((await d.request('GET', '/api/projects', undefined, bad)).status, 401);
      const limited = await d.request('GET', '/api/projects', undefined, bad);
      assert.equal(limited.status, 429, 'the fifth failure from this IP, two of them on the other replica');
      assert.match(limited.text, /too many failed authentications/);
      assert.equal((await c.request('GET', '/api/projects', undefined, bad)).status, 429, 'blocked on the other replica as well');
      assert.equal((await d.request('GET', '/api/projects')).status, 200, 'a valid token is unaffected');
    } finally {
      await d.close();
      await c.close();
    }
  });
});
