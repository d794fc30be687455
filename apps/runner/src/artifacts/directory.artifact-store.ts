import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  assertValidKey,
  type ArtifactStore,
  type ListedArtifact,
  type StoredArtifact,
} from './artifact-store';

/** ArtifactStore on a folder (ARTIFACT_DIR, a shared volume in a cluster): object `key` is file `<root>/<key>`. */
export class DirectoryArtifactStore implements ArtifactStore {
  constructor(readonly root: string) {}

  async put(localPath: string, key: string): Promise<StoredArtifact> {
    return this.putAddressed(localPath, () => key);
  }

  async putAddressed(localPath: string, keyOf: (sha256: string) => string): Promise<StoredArtifact> {
    // The temporary file sits in the store's root folder of objects in flight (same file system: the rename
    // is atomic); list() skips `.tmp` files.
    const incoming = join(this.root, '.incoming');
    await mkdir(incoming, { recursive: true });
    const tmp = join(incoming, `${randomUUID()}.tmp`);
    const hash = createHash('sha256');
    let size = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        size += chunk.length;
        callback(null, chunk);
      },
    });
    try {
      await pipeline(createReadStream(localPath), tap, createWriteStream(tmp));
      const sha256 = hash.digest('hex');
      const key = keyOf(sha256);
      assertValidKey(key);
      const target = join(this.root, key);
      await mkdir(dirname(target), { recursive: true });
      await rename(tmp, target);
      return { path: key, size, sha256 };
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
  }

  async get(key: string, localPath: string, sha256?: string): Promise<void> {
    assertValidKey(key);
    await mkdir(dirname(localPath), { recursive: true });
    const tmp = `${localPath}.${randomUUID()}.tmp`;
    try {
      await copyFile(join(this.root, key), tmp);
      if (sha256 !== undefined) {
        const hash = createHash('sha256');
        await pipeline(createReadStream(tmp), hash);
        const actual = hash.digest('hex');
        if (actual !== sha256) throw new Error(`artifact ${key} has sha256 ${actual}, recorded ${sha256}: the stored object is not the recorded one`);
      }
      await rename(tmp, localPath);
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
  }

  async list(prefix: string): Promise<ListedArtifact[]> {
    const folder = prefix.endsWith('/') ? prefix.slice(0, -1) : dirname(prefix);
    if (folder !== '.' && folder !== '') assertValidKey(folder);
    const start = join(this.root, folder);
    const found: ListedArtifact[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        const full = join(dir, entry.name);
        if (entry.isDirectory()) {
          if (full !== join(this.root, '.incoming')) await walk(full);
        } else if (entry.isFile() && !entry.name.endsWith('.tmp')) {
          const key = relative(this.root, full).split(sep).join('/');
          if (key.startsWith(prefix)) found.push({ path: key, size: (await stat(full)).size });
        }
      }
    };
    await walk(start);
    return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
}
