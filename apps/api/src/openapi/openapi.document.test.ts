/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- response bodies are untyped JSON here; the assertions check their shape */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../testing/test-app';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

void describe('OpenAPI document', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(async () => {
    await t.close();
  });

  void it('documents exactly the routes the app serves, and the docs page renders', async () => {
    const doc = await t.request('GET', '/api/openapi.json', undefined, null);
    assert.equal(doc.status, 200);
    assert.equal(doc.body.openapi, '3.0.3');
    const documented = new Set<string>();
    for (const [path, ops] of Object.entries(doc.body.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(ops)) documented.add(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`);
    }
    const express = t.app.getHttpAdapter().getInstance() as { router: { stack: Layer[] } };
    const served = new Set<string>();
    for (const layer of express.router.stack) {
      if (!layer.route?.path.startsWith('/api/') || layer.route.path.startsWith('/api/docs') || layer.route.path === '/api/openapi.json') continue;
      for (const method of Object.keys(layer.route.methods)) served.add(`${method.toUpperCase()} ${layer.route.path}`);
    }
    assert.deepEqual([...documented].sort(), [...served].sort());
    const create = doc.body.paths['/api/runs'].post;
    assert.ok(create.requestBody.content['application/json'].schema.properties.projectId);
    assert.ok(create.responses['400']);
    const docs = await fetch(`${t.baseUrl}/api/docs`);
    assert.equal(docs.status, 200);
    assert.match(await docs.text(), /swagger/i);
  });
});
