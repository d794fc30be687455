import type { TfRecordError } from './tfrecord.format';
import { ScalarCollector, readEventFile, type EventFileContent, type ScalarPoint, type SkippedValues } from './event-file.reader';
import type { EventLogDir } from './log-dir.scan';

/** What a run's event files hold, read in order with one tag → plugin memory. */
export interface EventFilesContent {
  /** Every file's scalars in file order (later files and records win on equal tag and step downstream). */
  readonly points: ScalarPoint[];
  readonly skipped: SkippedValues[];
  readonly files: Omit<EventFileContent, 'points' | 'skipped'>[];
  /** Unreadable records, one per affected file (that file's later records are not read). */
  readonly errors: TfRecordError[];
}

export interface EventRunContent extends EventFilesContent {
  readonly name: string;
  readonly dir: string;
}

/** Reads event files given by name (read from disk) or by name and bytes (an upload), in the order given. */
export function readEventFiles(files: readonly { readonly name: string; readonly bytes?: Uint8Array }[]): EventFilesContent {
  const collector = new ScalarCollector();
  const points: ScalarPoint[] = [];
  const skipped = new Map<string, SkippedValues>();
  const reports: Omit<EventFileContent, 'points' | 'skipped'>[] = [];
  const errors: TfRecordError[] = [];
  for (const file of files) {
    const content = readEventFile(file.name, file.bytes, collector);
    for (const p of content.points) points.push(p);
    for (const s of content.skipped) {
      const key = `${s.tag}\u0000${s.kind}`;
      const entry = skipped.get(key);
      if (entry) entry.count += s.count;
      else skipped.set(key, { ...s });
    }
    reports.push({ file: content.file, fileVersion: content.fileVersion, records: content.records, error: content.error });
    if (content.error) errors.push(content.error);
  }
  return { points, skipped: [...skipped.values()], files: reports, errors };
}

/** Reads every event file of one log directory. */
export function readEventRun(logDir: EventLogDir): EventRunContent {
  return { name: logDir.name, dir: logDir.dir, ...readEventFiles(logDir.files.map((name) => ({ name }))) };
}
