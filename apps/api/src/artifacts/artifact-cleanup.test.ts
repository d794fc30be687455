/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument -- response bodies are untyped JSON here; the assertions check their shape */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PrismaService } from '../database/prisma.service';
import { createProject, createRun, startTestApp, type TestApp } from '../testing/test-app';

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
});
