import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { restoreRecorded } from './artifact-restore';
import { latestRecorded, versionedKey, workFileOf, type RecordedArtifact } from './artifact-store';
import { DirectoryArtifactStore } from './directory.artifact-store';

const runId = '11111111-2222-4333-8444-555555555555';
const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

void describe('versioned artifact keys and the restore of the latest recorded version', () => {
  const root = mkdtempSync(join(tmpdir(), 'equilab-restore-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const store = new DirectoryArtifactStore(join(root, 'store'));

  void it('keys are step- and content-addressed and map back to the work file; other runs’ keys do not', () => {
    const key = versionedKey(runId, 'checkpoint.safetensors', 120, 'ab'.repeat(32));
    assert.equal(key, `runs/${runId}/v/000000000120-abababababababab/checkpoint.safetensors`);
    assert.equal(workFileOf(runId, key), 'checkpoint.safetensors');
    assert.equal(workFileOf(runId, `runs/${runId}/checkpoint.safetensors`), 'checkpoint.safetensors', 'the unversioned layout of older stores');
    assert.equal(workFileOf(runId, `runs/${runId}/evaluations/e/probe.safetensors`), 'evaluations/e/probe.safetensors');
    assert.equal(workFileOf(runId, 'runs/another/v/000000000001-abababababababab/checkpoint.safetensors'), null);
    assert.throws(() => versionedKey(runId, 'checkpoint.safetensors', -1, 'ab'.repeat(32)), /invalid checkpoint step/);
    assert.throws(() => versionedKey(runId, '../x', 1, 'ab'.repeat(32)), /invalid artifact key/);
  });

  void it('a refused record can replace no recorded object: the same step with other bytes gets another key', async () => {
    const local = join(root, 'ckpt');
    writeFileSync(local, 'recorded at 10');
    const recorded = await store.putAddressed(local, (h) => versionedKey(runId, 'checkpoint.safetensors', 10, h));
    writeFileSync(local, 'stopping checkpoint at 10, refused');
    const refused = await store.putAddressed(local, (h) => versionedKey(runId, 'checkpoint.safetensors', 10, h));
    assert.notEqual(refused.path, recorded.path);
    assert.equal(readFileSync(join(root, 'store', recorded.path), 'utf8'), 'recorded at 10');
    assert.equal(recorded.sha256, sha('recorded at 10'));
    assert.equal((await store.list(`runs/${runId}/`)).length, 2, 'no temporary file is listed');
  });

  void it('restores the highest recorded step of each file (never an unrecorded one), checked by sha256', async () => {
    const put = async (file: string, step: number, text: string): Promise<RecordedArtifact> => {
      const local = join(root, 'local');
      writeFileSync(local, text);
      const stored = await store.putAddressed(local, (h) => versionedKey(runId, file, step, h));
      return { path: stored.path, sha256: stored.sha256, step, createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, step)).toISOString() };
    };
    const records = [
      await put('checkpoint.safetensors', 20, 'ckpt 20'),
      await put('checkpoint.safetensors', 30, 'ckpt 30'),
      await put('final_weights.safetensors', 40, 'final'),
      { path: `runs/${runId}/evaluations/e1/probe.safetensors`, sha256: sha('probe'), step: null, createdAt: '2026-01-01T00:00:00.000Z' },
    ];
    await put('checkpoint.safetensors', 35, 'stopping checkpoint whose record was refused');
    writeFileSync(join(root, 'local'), 'probe');
    await store.put(join(root, 'local'), `runs/${runId}/evaluations/e1/probe.safetensors`);
    assert.deepEqual([...latestRecorded(runId, records).keys()].sort(), ['checkpoint.safetensors', 'evaluations/e1/probe.safetensors', 'final_weights.safetensors']);

    const work = join(root, 'work');
    const restored = await restoreRecorded(store, runId, records, work, (file) => !file.startsWith('evaluations/'));
    assert.equal(restored, 2);
    assert.equal(readFileSync(join(work, 'checkpoint.safetensors'), 'utf8'), 'ckpt 30', 'the latest recorded, not the unrecorded step 35');
    assert.equal(readFileSync(join(work, 'final_weights.safetensors'), 'utf8'), 'final');
    assert.equal(existsSync(join(work, 'evaluations')), false);

    // A stored object that is not the recorded one (the overwritten files of the unversioned layout) is refused.
    const wrong = [{ ...records[1]!, sha256: sha('something else') }];
    await assert.rejects(restoreRecorded(store, runId, wrong, join(root, 'work2')), /is not the recorded one/);
    assert.equal(existsSync(join(root, 'work2', 'checkpoint.safetensors')), false);
  });
});
