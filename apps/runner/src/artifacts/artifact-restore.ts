import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { latestRecorded, type ArtifactStore, type RecordedArtifact } from './artifact-store';

/**
 * Fill a fresh work folder with the latest recorded version of each of the run's files (keys mapped to their
 * work-folder names by `workFileOf`: `runs/<runId>/v/<step>-<sha>/checkpoint.safetensors` →
 * `checkpoint.safetensors`) that `include` accepts. What counts is the API's records, never a listing of the
 * store: a checkpoint whose record was refused (its attempt had ended) is not resumed from. Each copy is checked
 * against its recorded SHA-256. Resolves to the number of files restored.
 */
export async function restoreRecorded(
  store: ArtifactStore,
  runId: string,
  records: readonly RecordedArtifact[],
  workDir: string,
  include: (workFile: string) => boolean = () => true,
): Promise<number> {
  await rm(workDir, { recursive: true, force: true });
  await mkdir(workDir, { recursive: true });
  let restored = 0;
  for (const [file, record] of latestRecorded(runId, records)) {
    if (!include(file)) continue;
    await store.get(record.path, join(workDir, ...file.split('/')), record.sha256);
    restored += 1;
  }
  return restored;
}
