/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- response bodies are untyped JSON here; the assertions check their shape */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../testing/test-app';

void describe('unknown query parameters', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(async () => {
    await t.close();
  });

  void it('are refused with 400 naming each one and the parameters the route takes', async () => {
    const typo = await t.request('GET', '/api/runs?limt=10&sort=-createdAt');
    assert.equal(typo.status, 400, typo.text);
    assert.deepEqual(typo.body.error.issues.map((i: { path: string }) => i.path), ['limt']);
    assert.match(typo.body.error.issues[0].message, /unknown query parameter \(this route takes .*limit.*\)/);
    const none = await t.request('GET', '/api/projects?__proto__=1&constructor=x');
    assert.equal(none.status, 400, none.text);
    assert.deepEqual(none.body.error.issues.map((i: { path: string }) => i.path).sort(), ['__proto__', 'constructor']);
    assert.match(none.body.error.issues[0].message, /this route takes none/);
  });

  void it('documented parameters pass; authentication is answered first', async () => {
    assert.equal((await t.request('GET', '/api/runs?limit=5&sort=-createdAt')).status, 200);
    assert.equal((await t.request('GET', '/api/runs?limt=10', undefined, null)).status, 401);
  });
});
