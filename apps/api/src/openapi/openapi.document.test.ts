/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- response bodies are untyped JSON here; the assertions check their shape */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Controller, Get } from '@nestjs/common';
import { startTestApp, type TestApp } from '../testing/test-app';
import { buildOpenApiDocument } from './openapi.document';

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
      // `/api/{*path}` layers are Nest's middleware (nestjs-pino's request logger), not routes.
      if (!layer.route?.path.startsWith('/api/') || layer.route.path.startsWith('/api/docs') || layer.route.path === '/api/openapi.json' || layer.route.path.includes('{*')) continue;
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

  void it('is generated from the controllers: statuses from their decorators, and no route goes undocumented', () => {
    const doc = buildOpenApiDocument() as { paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown[] }>> };
    assert.deepEqual(Object.keys(doc.paths['/api/sweeps']!['post']!.responses).filter((s) => s < '300'), ['200', '201'], 'a dry run answers 200');
    assert.ok(doc.paths['/api/runs']!['post']!.responses['404'], 'an unknown project');
    assert.ok(doc.paths['/api/runs/{id}']!['delete']!.responses['200'], 'a delete answers what it removed');
    assert.ok(doc.paths['/api/tokens/{id}']!['delete']!.responses['204']);
    assert.deepEqual(doc.paths['/api/health']!['get']!.security, [], 'public');
    assert.ok(doc.paths['/api/health']!['get']!.responses['503']);
    @Controller('undocumented')
    class UndocumentedController {
      @Get()
      list(): string[] {
        return [];
      }
    }
    assert.throws(() => buildOpenApiDocument([UndocumentedController]), /UndocumentedController\.list: a route needs @ApiDoc/);
  });
});
