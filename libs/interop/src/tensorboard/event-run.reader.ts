import type { TfRecordError } from './tfrecord.format';
import { ScalarCollector, readEventFile, type EventFileContent, type ScalarPoint, type SkippedValues } from './event-file.reader';
import type { EventLogDir } from './log-dir.scan';

export interface EventRunContent {
  readonly name: string;
  readonly dir: string;
  /** Every file's scalars in file order (later files and records win on equal tag and step downstream). */
  readonly points: ScalarPoint[];
  readonly skipped: SkippedValues[];
  readonly files: Omit<EventFileContent, 'points' | 'skipped'>[];
  /** Unreadable records, one per affected file (that file's later records are not read). */
  readonly errors: TfRecordError[];
}

/** Reads every event file of one log directory with a shared tag → plugin memory. */
export function readEventRun(logDir: EventLogDir): EventRunContent {
  const collector = new ScalarCollector();
  const points: ScalarPoint[] = [];
  const skipped = new Map<string, SkippedValues>();
  const files: Omit<EventFileContent, 'points' | 'skipped'>[] = [];
  const errors: TfRecordError[] = [];
  for (const file of logDir.files) {
    const content = readEventFile(file, undefined, collector);
    for (const p of content.points) points.push(p);
    for (const s of content.skipped) {
      const key = `${s.tag}\u0000${s.kind}`;
      const entry = skipped.get(key);
      if (entry) entry.count += s.count;
      else skipped.set(key, { ...s });
    }
    files.push({ file: content.file, fileVersion: content.fileVersion, records: content.records, error: content.error });
    if (content.error) errors.push(content.error);
  }
  return { name: logDir.name, dir: logDir.dir, points, skipped: [...skipped.values()], files, errors };
}
