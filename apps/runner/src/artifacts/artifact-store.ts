import { runArtifactPrefix, versionedArtifactKey } from '@equilab/contracts';

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
  /**
   * Copy the local file to the key `keyOf(sha256)` names from its content (atomically, hashed while copied):
   * a content-addressed key is only ever replaced by the same bytes, so no write can alter a recorded object.
   */
  putAddressed(localPath: string, keyOf: (sha256: string) => string): Promise<StoredArtifact>;
  /**
   * Copy the object `key` to the local file `localPath` (parent folders are created). With `sha256`, the copy
   * is hashed and refused (the local file is not written) unless it matches.
   */
  get(key: string, localPath: string, sha256?: string): Promise<void>;
  /** Objects whose key starts with `prefix` (a folder prefix ending in `/`), sorted by key. */
  list(prefix: string): Promise<ListedArtifact[]>;
}

/** Artifact keys of a run (the layout is the contracts' `artifact-keys`). */
export const runPrefix = runArtifactPrefix;

const VERSION_SEGMENT = /^v\/(\d{12})-([0-9a-f]{16})\//;

/**
 * The store key of one version of a run's training-state file (checkpoint, final weights):
 * `runs/<runId>/v/<step, 12 digits>-<first 16 hex digits of its SHA-256>/<file>`. Step-ordered and
 * content-addressed: a checkpoint written and then refused by the API (the attempt's token was revoked by a
 * cancel) or still being recorded lands beside the recorded one, never on it; the download name stays `<file>`.
 */
export function versionedKey(runId: string, file: string, step: number, sha256: string): string {
  const key = versionedArtifactKey(runId, file, step, sha256);
  assertValidKey(key);
  return key;
}

/**
 * The file a key of run `runId` stands for in the run's work folder — `checkpoint.safetensors` for both
 * `runs/<runId>/v/…/checkpoint.safetensors` and the unversioned `runs/<runId>/checkpoint.safetensors` written
 * before keys were versioned — or null for a key outside the run's folder.
 */
export function workFileOf(runId: string, key: string): string | null {
  const prefix = runPrefix(runId);
  if (!key.startsWith(prefix)) return null;
  const rest = key.slice(prefix.length);
  const file = rest.replace(VERSION_SEGMENT, '');
  return file.length > 0 ? file : null;
}

/** A stored object the API recorded (`GET /api/runs/:id/artifacts`). */
export interface RecordedArtifact {
  readonly path: string;
  readonly sha256: string;
  readonly step: number | null;
  readonly createdAt: string;
}

/**
 * The latest recorded version of each work file of the run: the highest step, then the latest record. Only
 * recorded objects count — a file in the store whose record the API refused is never resumed from.
 */
export function latestRecorded(runId: string, records: readonly RecordedArtifact[]): Map<string, RecordedArtifact> {
  const latest = new Map<string, RecordedArtifact>();
  const rank = (r: RecordedArtifact): [number, string] => [r.step ?? -1, r.createdAt];
  for (const record of records) {
    const file = workFileOf(runId, record.path);
    if (file === null) continue;
    const current = latest.get(file);
    if (!current) {
      latest.set(file, record);
      continue;
    }
    const [step, at] = rank(record);
    const [currentStep, currentAt] = rank(current);
    if (step > currentStep || (step === currentStep && at >= currentAt)) latest.set(file, record);
  }
  return latest;
}

/** A key must be a relative POSIX path without `..` or empty segments. */
export function assertValidKey(key: string): void {
  const segments = key.split('/');
  if (key.startsWith('/') || key.includes('\\') || segments.some((s) => s === '' || s === '.' || s === '..'))
    throw new Error(
      `invalid artifact key ${JSON.stringify(key)}: must be a relative POSIX path without '.', '..' or empty segments`,
    );
}
