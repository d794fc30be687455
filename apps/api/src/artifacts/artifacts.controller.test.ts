import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PrismaService } from '../database/prisma.service';
import { createProject, createRun, startTestApp, type TestApp } from '../testing/test-app';

void describe('GET /api/artifacts/:id/content', () => {
  let t: TestApp;
  let dir: string;
  let artifactId: string;
  let missingId: string;
  const bytes = randomBytes(1000);
  const sha256 = createHash('sha256').update(bytes).digest('hex');

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'equilab-artifacts-'));
    t = await startTestApp({ ARTIFACT_DIR: dir });
    const run = await createRun(t, await createProject(t, 'artifacts'));
    mkdirSync(join(dir, 'runs', run.id), { recursive: true });
    writeFileSync(join(dir, 'runs', run.id, 'checkpoint.safetensors'), bytes);
    const prisma = t.app.get(PrismaService);
    const record = (path: string) => prisma.artifact.create({ data: { runId: run.id, kind: 'checkpoint', path, size: BigInt(bytes.length), sha256, step: 3 } });
    artifactId = (await record(`runs/${run.id}/checkpoint.safetensors`)).id;
    missingId = (await record(`runs/${run.id}/gone.safetensors`)).id;
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (id: string, headers: Record<string, string> = {}, token: string | null = t.adminToken) =>
    fetch(`${t.baseUrl}/api/artifacts/${id}/content`, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
  const body = async (res: Response) => Buffer.from(await res.arrayBuffer());

  void it('streams the whole file with its length, name, strong ETag (the SHA-256) and Accept-Ranges', async () => {
    const res = await get(artifactId);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('accept-ranges'), 'bytes');
    assert.equal(res.headers.get('content-length'), '1000');
    assert.equal(res.headers.get('content-type'), 'application/octet-stream');
    assert.equal(res.headers.get('etag'), `"${sha256}"`);
    assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="checkpoint\.safetensors"$/);
    assert.ok(res.headers.get('last-modified'));
    assert.deepEqual(await body(res), bytes);
  });

  void it('answers a single range with 206 and Content-Range (first-last, suffix, open-ended)', async () => {
    const cases: Array<[string, number, number]> = [
      ['bytes=10-19', 10, 19],
      ['bytes=-5', 995, 999],
      ['bytes=990-', 990, 999],
      ['bytes=900-5000', 900, 999],
    ];
    for (const [range, first, last] of cases) {
      const res = await get(artifactId, { range });
      assert.equal(res.status, 206, range);
      assert.equal(res.headers.get('content-range'), `bytes ${first}-${last}/1000`, range);
      assert.equal(res.headers.get('content-length'), String(last - first + 1), range);
      assert.deepEqual(await body(res), bytes.subarray(first, last + 1), range);
    }
  });

  void it('416 with Content-Range bytes */size for a range past the end; whole file for several ranges or a stale If-Range', async () => {
    const past = await get(artifactId, { range: 'bytes=1000-1001' });
    assert.equal(past.status, 416);
    assert.equal(past.headers.get('content-range'), 'bytes */1000');
    assert.equal(past.headers.get('content-disposition'), null);
    const several = await get(artifactId, { range: 'bytes=0-1,500-501' });
    assert.equal(several.status, 200);
    assert.deepEqual(await body(several), bytes);
    const fresh = await get(artifactId, { range: 'bytes=0-9', 'if-range': `"${sha256}"` });
    assert.equal(fresh.status, 206);
    assert.deepEqual(await body(fresh), bytes.subarray(0, 10));
    const stale = await get(artifactId, { range: 'bytes=0-9', 'if-range': '"0000"' });
    assert.equal(stale.status, 200);
    assert.deepEqual(await body(stale), bytes);
    const syntax = await get(artifactId, { range: 'lines=1-2' });
    assert.equal(syntax.status, 200, 'a range unit other than bytes is ignored');
  });

  void it('401 without a token, 400 for a bad id, 404 for an unknown artifact and for a recorded file that is gone', async () => {
    assert.equal((await get(artifactId, {}, null)).status, 401);
    const bad = await get('not-a-uuid');
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(await bad.json()), /id/);
    const unknown = await get('00000000-0000-4000-8000-000000000000');
    assert.equal(unknown.status, 404);
    const gone = await get(missingId);
    assert.equal(gone.status, 404);
    const message = ((await gone.json()) as { error?: { message?: string } }).error?.message ?? '';
    assert.match(message, /missing from the artifact store/);
    assert.notEqual(gone.headers.get('etag'), `"${sha256}"`, 'the error body does not carry the file’s ETag');
  });
});
