/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call -- response bodies are untyped JSON here; the assertions check their shape */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PrismaService } from '../database/prisma.service';
import { createProject, createRun, jobRunToken, registerRunner, startTestApp, type TestApp } from '../testing/test-app';

/** Deleting projects and runs removes the runs' files from a real artifact store folder, and only those. */
void describe('artifact files of deleted runs', () => {
  let t: TestApp;
  let base: string;
  let store: string;

  before(async () => {
    base = mkdtempSync(join(tmpdir(), 'equilab-cleanup-'));
    store = join(base, 'store');
    mkdirSync(join(store, 'runs'), { recursive: true });
    t = await startTestApp({ ARTIFACT_DIR: store });
  });
  after(async () => {
    await t.close();
    rmSync(base, { recursive: true, force: true });
  });

  /** A run with a checkpoint and final weights in the store, both recorded. */
  const storedRun = async (projectId: string): Promise<string> => {
    const run = await createRun(t, projectId);
    const folder = join(store, 'runs', run.id, 'v', '000000000010-0123456789abcdef');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'checkpoint.safetensors'), 'ckpt');
    writeFileSync(join(store, 'runs', run.id, 'final_weights.safetensors'), 'weights');
    const prisma = t.app.get(PrismaService);
    for (const path of [`runs/${run.id}/v/000000000010-0123456789abcdef/checkpoint.safetensors`, `runs/${run.id}/final_weights.safetensors`]) {
      await prisma.artifact.create({ data: { runId: run.id, kind: 'checkpoint', path, size: 4n, sha256: 'a'.repeat(64), step: 10 } });
    }
    return run.id;
  };

  void it('DELETE /projects/:id removes each run folder after the rows, follows no symlink out and leaves other runs and other paths alone', async () => {
    const doomed = await createProject(t, 'cleanup doomed');
    const kept = await createProject(t, 'cleanup kept');
    const [a, b, other] = [await storedRun(doomed), await storedRun(doomed), await storedRun(kept)];
    // A symlink inside a doomed run's folder points out of the store: the link goes, its target stays.
    const outside = join(base, 'outside.bin');
    writeFileSync(outside, 'not the store’s');
    symlinkSync(outside, join(store, 'runs', a, 'link.bin'));
    symlinkSync(base, join(store, 'runs', a, 'dir-link'));
    // A path a run recorded outside its own folder is not removed (another run may record the same path).
    mkdirSync(join(store, 'shared'), { recursive: true });
    writeFileSync(join(store, 'shared', 'x.bin'), 'x');
    await t.app.get(PrismaService).artifact.create({ data: { runId: b, kind: 'other', path: 'shared/x.bin', size: 1n, sha256: 'b'.repeat(64), step: null } });

    const res = await t.request('DELETE', `/api/projects/${doomed}`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { deletedRuns: 2, artifactFiles: { removedFolders: 2, failed: [] } });
    assert.equal(existsSync(join(store, 'runs', a)), false);
    assert.equal(existsSync(join(store, 'runs', b)), false);
    assert.equal(readFileSync(outside, 'utf8'), 'not the store’s', 'the symlink target outside the store is untouched');
    assert.ok(existsSync(join(base, 'store')), 'the directory a symlink pointed at is untouched');
    assert.ok(existsSync(join(store, 'shared', 'x.bin')));
    assert.ok(existsSync(join(store, 'runs', other, 'final_weights.safetensors')), 'another project’s run keeps its files');
    assert.equal(await t.app.get(PrismaService).artifact.count({ where: { runId: { in: [a, b] } } }), 0);
  });

  void it('DELETE /runs/:id removes that run’s folder only; a run without files reports nothing to remove', async () => {
    const project = await createProject(t, 'cleanup runs');
    const [a, b] = [await storedRun(project), await storedRun(project)];
    const res = await t.request('DELETE', `/api/runs/${a}`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { deletedRuns: 1, artifactFiles: { removedFolders: 1, failed: [] } });
    assert.equal(existsSync(join(store, 'runs', a)), false);
    assert.ok(existsSync(join(store, 'runs', b, 'final_weights.safetensors')));
    const bare = await createRun(t, project);
    const none = await t.request('DELETE', `/api/runs/${bare.id}`);
    assert.deepEqual(none.body, { deletedRuns: 1, artifactFiles: { removedFolders: 0, failed: [] } });
  });

  void it('a store whose runs folder is a symlink out of it: nothing outside is removed, the failure is reported, the rows are deleted', async () => {
    const project = await createProject(t, 'cleanup symlinked store');
    const runId = await storedRun(project);
    const elsewhere = join(base, 'elsewhere');
    mkdirSync(elsewhere);
    rmSync(join(store, 'runs'), { recursive: true, force: true });
    mkdirSync(join(elsewhere, runId), { recursive: true });
    writeFileSync(join(elsewhere, runId, 'precious.bin'), 'keep me');
    symlinkSync(elsewhere, join(store, 'runs'));
    try {
      const res = await t.request('DELETE', `/api/projects/${project}`);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.deletedRuns, 1);
      assert.equal(res.body.artifactFiles.removedFolders, 0);
      assert.equal(res.body.artifactFiles.failed.length, 1);
      assert.equal(res.body.artifactFiles.failed[0].path, 'runs/');
      assert.match(res.body.artifactFiles.failed[0].error, /not a directory \(a symlink is not followed\)/);
      assert.equal(readFileSync(join(elsewhere, runId, 'precious.bin'), 'utf8'), 'keep me');
      assert.equal(await t.app.get(PrismaService).run.count({ where: { id: runId } }), 0, 'the database delete stands');
    } finally {
      rmSync(join(store, 'runs'));
      mkdirSync(join(store, 'runs'));
    }
  });

  void it('a recorded checkpoint supersedes the older versions: their records and folders go, unrecorded ones too; the latest and final weights stay', async () => {
    const project = await createProject(t, 'cleanup prune');
    const run = await createRun(t, project);
    await registerRunner(t);
    const token = await jobRunToken(t, run.id);
    const start = { runnerId: t.runnerId, attempt: 1, backend: 'wasm', threads: 1, device: 'cpu' };
    assert.equal((await t.request('POST', `/api/runs/${run.id}/start`, start, token)).status, 200);
    /** Writes a version as the runner does (runs/<id>/v/<step>-<sha16>/<file>); records it unless `record` is false. */
    const version = async (file: string, step: number, text: string, kind = 'checkpoint', record = true): Promise<string> => {
      const sha256 = createHash('sha256').update(text).digest('hex');
      const key = `runs/${run.id}/v/${String(step).padStart(12, '0')}-${sha256.slice(0, 16)}/${file}`;
      mkdirSync(join(store, key, '..'), { recursive: true });
      writeFileSync(join(store, key), text);
      if (record) {
        const res = await t.request('POST', `/api/runs/${run.id}/artifacts`, { kind, path: key, size: text.length, sha256, step }, token);
        assert.equal(res.status, 201, res.text);
      }
      return key;
    };
    const first = await version('checkpoint.safetensors', 10, 'ckpt 10');
    const weights = await version('final_weights.safetensors', 10, 'weights 10', 'final-weights');
    const orphan = await version('checkpoint.safetensors', 15, 'refused at 15', 'checkpoint', false);
    const outside = join(base, 'outside-version');
    mkdirSync(outside);
    writeFileSync(join(outside, 'keep.bin'), 'keep');
    symlinkSync(outside, join(store, 'runs', run.id, 'v', '000000000001-0000000000000000'));
    const second = await version('checkpoint.safetensors', 20, 'ckpt 20');
    const paths = (await t.request('GET', `/api/runs/${run.id}/artifacts`, undefined, token)).body.items.map((a: { path: string }) => a.path).sort();
    assert.deepEqual(paths, [second, weights].sort(), 'the run token lists its run’s records: the older checkpoint record is gone');
    assert.equal(existsSync(join(store, first)), false);
    assert.equal(existsSync(join(store, orphan)), false, 'an unrecorded older version goes too');
    assert.equal(readFileSync(join(store, second), 'utf8'), 'ckpt 20');
    assert.equal(readFileSync(join(store, weights), 'utf8'), 'weights 10');
    assert.equal(readFileSync(join(outside, 'keep.bin'), 'utf8'), 'keep', 'a symlinked version folder is unlinked, not followed');
    const other = await createRun(t, project);
    assert.equal((await t.request('GET', `/api/runs/${other.id}/artifacts`, undefined, token)).status, 403, 'another run’s records');
  });
});
