import { renameSync, rmSync, writeFileSync } from 'node:fs';

/** Writes `bytes` to `file.tmp-<pid>` (flushed to disk), then renames it over `file`: readers never see half a file. */
export function writeFileAtomic(file: string, bytes: Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, bytes, { flush: true });
    renameSync(tmp, file);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}
