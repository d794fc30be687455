import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';

/** A log directory holding event files: one run. */
export interface EventLogDir {
  /** The directory's path relative to the scanned root with `/` separators; the root's own name for the root. */
  readonly name: string;
  readonly dir: string;
  /** Event files in TensorBoard's order (by name, which starts with the writer's start time). */
  readonly files: string[];
}

export interface ScanOptions {
  /** Deepest sub-directory level looked at (default 8). */
  readonly maxDepth?: number;
  /** Most event files in all (default 10,000): beyond, the scan fails rather than read an unbounded tree. */
  readonly maxFiles?: number;
}

export const EVENT_FILE_MARKER = 'tfevents';

/** Whether TensorBoard would read `name` as an event file (it looks for "tfevents" in the file name). */
export function isEventFileName(name: string): boolean {
  return name.includes(EVENT_FILE_MARKER) && !name.includes('.tmp-');
}

/**
 * Every directory under `root` (included) that holds event files: TensorBoard's notion of a run. The
 * reference writes one per experiment (`root_log_dir/<basename(exp_dir)>`), so a reference log root gives one
 * run per experiment.
 */
export function findEventLogDirs(root: string, options: ScanOptions = {}): EventLogDir[] {
  const maxDepth = options.maxDepth ?? 8;
  const maxFiles = options.maxFiles ?? 10_000;
  const rootDir = path.resolve(root);
  if (!statSync(rootDir).isDirectory()) throw new Error(`${rootDir}: not a directory`);
  const found: EventLogDir[] = [];
  let fileCount = 0;
  const visit = (dir: string, depth: number): void => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const files = entries.filter((e) => e.isFile() && isEventFileName(e.name)).map((e) => path.join(dir, e.name));
    fileCount += files.length;
    if (fileCount > maxFiles) throw new Error(`${rootDir}: more than ${maxFiles} event files`);
    if (files.length > 0) {
      const relative = path.relative(rootDir, dir).split(path.sep).join('/');
      found.push({ name: relative === '' ? path.basename(rootDir) : relative, dir, files });
    }
    if (depth >= maxDepth) return;
    for (const entry of entries) if (entry.isDirectory()) visit(path.join(dir, entry.name), depth + 1);
  };
  visit(rootDir, 0);
  return found;
}
