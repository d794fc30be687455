/**
 * The artifact store's key layout, shared by the runner (which writes a run's files), the API (which writes weights
 * uploads, prunes old checkpoint versions and removes a deleted run's folder) and anything that reads the store.
 */

/** Every key of run `runId` starts with this. */
export const runArtifactPrefix = (runId: string): string => `runs/${runId}/`;

/** The folder of a run's versioned training-state files: `runs/<runId>/v/`. */
export const runVersionsPrefix = (runId: string): string => `${runArtifactPrefix(runId)}v/`;

/**
 * The key of one version of a run's training-state file (checkpoint, final weights, evaluation files):
 * `runs/<runId>/v/<step, 12 digits>-<first 16 hex digits of its SHA-256>/<file>` — step-ordered and
 * content-addressed, so a file written and then refused (or still being recorded) lands beside a recorded one,
 * never on it. Throws on a step outside 0 … 10¹²−1.
 */
export function versionedArtifactKey(runId: string, file: string, step: number, sha256: string): string {
  if (!Number.isInteger(step) || step < 0 || step > 999_999_999_999) throw new Error(`invalid checkpoint step ${step}`);
  return `${runVersionsPrefix(runId)}${String(step).padStart(12, '0')}-${sha256.slice(0, 16)}/${file}`;
}
