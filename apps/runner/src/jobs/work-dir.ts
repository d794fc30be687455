import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactStore } from '../artifacts/artifact-store';

/**
 * Fill a fresh work folder with the objects under `prefix` of the store (keys relative to the prefix) that
 * `include` accepts. Resolves to the number of files restored.
 */
export async function restoreWorkDir(
  store: ArtifactStore,
  prefix: string,
  workDir: string,
  include: (relativeKey: string) => boolean = () => true,
): Promise<number> {
  await rm(workDir, { recursive: true, force: true });
  await mkdir(workDir, { recursive: true });
  let restored = 0;
  for (const object of await store.list(prefix)) {
    const rel = object.path.slice(prefix.length);
    if (!include(rel)) continue;
    await store.get(object.path, join(workDir, ...rel.split('/')));
    restored += 1;
  }
  return restored;
}
