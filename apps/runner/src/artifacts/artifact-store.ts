/** A stored object: `path` is its key, relative to the store's root (what `POST /runs/:id/artifacts` records). */
export interface StoredArtifact {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
}

export interface ListedArtifact {
  readonly path: string;
  readonly size: number;
}

/**
 * Where checkpoints and final weights live, shared by every runner so that any runner can resume any run.
 * Keys are relative POSIX paths (`runs/<runId>/checkpoint/…`). The directory implementation serves a shared
 * volume; an object store (S3, GCS) implements the same three calls.
 */
export interface ArtifactStore {
  /** Copy the local file to `key` (atomically: readers never see half an object). */
  put(localPath: string, key: string): Promise<StoredArtifact>;
  /** Copy the object `key` to the local file `localPath` (parent folders are created). */
  get(key: string, localPath: string): Promise<void>;
  /** Objects whose key starts with `prefix` (a folder prefix ending in `/`), sorted by key. */
  list(prefix: string): Promise<ListedArtifact[]>;
}

/** Artifact keys of a run. */
export const runPrefix = (runId: string): string => `runs/${runId}/`;

/** A key must be a relative POSIX path without `..` or empty segments. */
export function assertValidKey(key: string): void {
  const segments = key.split('/');
  if (key.startsWith('/') || key.includes('\\') || segments.some((s) => s === '' || s === '.' || s === '..'))
    throw new Error(
      `invalid artifact key ${JSON.stringify(key)}: must be a relative POSIX path without '.', '..' or empty segments`,
    );
}
