import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DirectoryArtifactStore } from './directory.artifact-store';

void describe('DirectoryArtifactStore', () => {
  const root = mkdtempSync(join(tmpdir(), 'equilab-store-'));
  const local = mkdtempSync(join(tmpdir(), 'equilab-local-'));
  after(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(local, { recursive: true, force: true });
  });
  const store = new DirectoryArtifactStore(join(root, 'artifacts'));

  void it('puts a file under its key with size and sha256, lists by prefix and gets it back', async () => {
    const content = Buffer.from('checkpoint bytes '.repeat(1000));
    writeFileSync(join(local, 'ckpt.bin'), content);
    const stored = await store.put(join(local, 'ckpt.bin'), 'runs/r1/checkpoint.bin');
    assert.deepEqual(stored, {
      path: 'runs/r1/checkpoint.bin',
      size: content.length,
      sha256: createHash('sha256').update(content).digest('hex'),
    });
    writeFileSync(join(local, 'w.bin'), 'w');
    await store.put(join(local, 'w.bin'), 'runs/r1/final/weights.bin');
    await store.put(join(local, 'w.bin'), 'runs/r10/other.bin');

    assert.deepEqual(await store.list('runs/r1/'), [
      { path: 'runs/r1/checkpoint.bin', size: content.length },
      { path: 'runs/r1/final/weights.bin', size: 1 },
    ]);
    assert.deepEqual(await store.list('runs/missing/'), []);

    await store.get('runs/r1/checkpoint.bin', join(local, 'restored', 'c.bin'));
    assert.deepEqual(readFileSync(join(local, 'restored', 'c.bin')), content);
  });

  void it('overwrites an object atomically and rejects keys that escape the store', async () => {
    writeFileSync(join(local, 'a'), 'first');
    await store.put(join(local, 'a'), 'runs/r2/x');
    writeFileSync(join(local, 'a'), 'second');
    await store.put(join(local, 'a'), 'runs/r2/x');
    await store.get('runs/r2/x', join(local, 'b'));
    assert.equal(readFileSync(join(local, 'b'), 'utf8'), 'second');
    await assert.rejects(store.put(join(local, 'a'), '../escape'), /invalid artifact key "\.\.\/escape"/);
    await assert.rejects(store.put(join(local, 'a'), '/abs'), /invalid artifact key/);
    await assert.rejects(store.get('runs/../../x', join(local, 'c')), /invalid artifact key/);
  });
});
