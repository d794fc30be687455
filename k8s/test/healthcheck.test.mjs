// docker/healthcheck.mjs, the probe the images' HEALTHCHECKs run: against a real HTTP server on loopback and the
// real Redis (REDIS_URL, default redis://127.0.0.1:6379).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from './lib/render.mjs';

const script = join(repoRoot, 'docker', 'healthcheck.mjs');

function probe(args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { env: { PATH: process.env.PATH, ...env } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('healthcheck.mjs', () => {
  let server;
  let base;
  before(async () => {
    server = createServer((req, res) => {
      res.statusCode = req.url === '/api/health' ? 200 : 503;
      res.end(req.url === '/api/health' ? '{"status":"ok"}' : 'down');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${server.address().port}`;
  });
  after(() => server.close());

  it('is healthy on a 2xx answer', async () => {
    assert.deepEqual(await probe([`${base}/api/health`]), { code: 0, stderr: '' });
  });

  it('is unhealthy on a 5xx answer, naming the status', async () => {
    const r = await probe([`${base}/down`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /HTTP 503/);
  });

  it('is unhealthy when nothing listens', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const { port } = closed.address();
    closed.close();
    await once(closed, 'close');
    assert.equal((await probe([`http://127.0.0.1:${port}/`])).code, 1);
  });

  it('redis mode: healthy when REDIS_URL answers PING', async () => {
    const r = await probe(['redis'], { REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
    assert.deepEqual(r, { code: 0, stderr: '' });
  });

  it('redis mode: unhealthy without REDIS_URL or with nothing listening, naming the variable', async () => {
    const unset = await probe(['redis']);
    assert.equal(unset.code, 1);
    assert.match(unset.stderr, /REDIS_URL is not set/);
    const refused = await probe(['redis'], { REDIS_URL: 'redis://127.0.0.1:1' });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /REDIS_URL 127\.0\.0\.1:1/);
  });

  it('redis mode: unhealthy when a plain TCP server does not speak Redis', async () => {
    const mute = createServer((req, res) => res.end());
    mute.listen(0, '127.0.0.1');
    await once(mute, 'listening');
    const r = await probe(['redis'], { REDIS_URL: `redis://127.0.0.1:${mute.address().port}` });
    mute.close();
    assert.equal(r.code, 1);
  });
});
