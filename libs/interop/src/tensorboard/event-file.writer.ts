import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { DATA_CLASS_SCALAR, DT_FLOAT, FILE_VERSION, SCALARS_PLUGIN, encodeEvent } from './event.schema';
import type { ScalarPoint } from './event-file.reader';
import { frameTfRecord } from './tfrecord.format';
import { writeFileAtomic } from '../common/atomic-file';

export interface WriteEventFileOptions {
  /**
   * `simple` (default): `Summary.Value.simple_value`, what PyTorch's `SummaryWriter.add_scalar` writes;
   * `tensor`: a rank-0 DT_FLOAT `TensorProto` with scalars-plugin metadata, the form TensorFlow 2 writes.
   */
  readonly form?: 'simple' | 'tensor';
  /** Wall time (seconds) of the file_version event and in the file name; default: the earliest point's, or now. */
  readonly startTime?: number;
}

/** TensorBoard's file name: `events.out.tfevents.<10-digit seconds>.<host>.<pid>.<n>` (TensorBoard lists files by it). */
export function eventFileName(startTime: number, index = 0): string {
  const host = hostname().replace(/[^A-Za-z0-9._-]/g, '_') || 'localhost';
  return `events.out.tfevents.${String(Math.floor(startTime)).padStart(10, '0')}.${host}.${process.pid}.${index}`;
}

/** Ordered as a training writes them: by step, then wall time, then tag (TensorBoard expects steps not to go back). */
function ordered(points: readonly ScalarPoint[]): ScalarPoint[] {
  return [...points].sort((a, b) => a.step - b.step || a.wallTime - b.wallTime || (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
}

/**
 * The bytes of an event file: the `file_version` event, then one `Event` per (step, wall time) holding that
 * moment's scalars. Values are stored as float32, as TensorBoard does (its scalar series are float32).
 */
export function encodeEventFile(points: readonly ScalarPoint[], options: WriteEventFileOptions = {}): Buffer {
  for (const p of points) {
    if (!Number.isSafeInteger(p.step) || p.step < 0) throw new Error(`step: must be a non-negative integer, got ${p.step} (tag "${p.tag}")`);
    if (!Number.isFinite(p.wallTime)) throw new Error(`wallTime: must be finite, got ${p.wallTime} (tag "${p.tag}")`);
  }
  const sorted = ordered(points);
  const startTime = options.startTime ?? sorted.reduce((t, p) => Math.min(t, p.wallTime), Number.POSITIVE_INFINITY);
  const chunks: Buffer[] = [frameTfRecord(encodeEvent({ wall_time: Number.isFinite(startTime) ? startTime : Date.now() / 1000, file_version: FILE_VERSION }))];
  const tensorForm = options.form === 'tensor';
  const described = new Set<string>();
  for (let i = 0; i < sorted.length; ) {
    const first = sorted[i] as ScalarPoint;
    const values: Record<string, unknown>[] = [];
    while (i < sorted.length && (sorted[i] as ScalarPoint).step === first.step && (sorted[i] as ScalarPoint).wallTime === first.wallTime) {
      const p = sorted[i] as ScalarPoint;
      if (tensorForm) {
        const value: Record<string, unknown> = { tag: p.tag, tensor: { dtype: DT_FLOAT, tensor_shape: {}, float_val: [p.value] } };
        if (!described.has(p.tag)) {
          // Like TensorFlow's writer: the metadata travels with the first value of each series only.
          value.metadata = { plugin_data: { plugin_name: SCALARS_PLUGIN, content: new Uint8Array() }, data_class: DATA_CLASS_SCALAR };
          described.add(p.tag);
        }
        values.push(value);
      } else {
        values.push({ tag: p.tag, simple_value: p.value });
      }
      i += 1;
    }
    chunks.push(frameTfRecord(encodeEvent({ wall_time: first.wallTime, step: first.step, summary: { value: values } })));
  }
  return Buffer.concat(chunks);
}

/** Writes `points` as one event file in `dir` (created if missing), atomically; returns the file's path. */
export function writeEventFile(dir: string, points: readonly ScalarPoint[], options: WriteEventFileOptions = {}): string {
  mkdirSync(dir, { recursive: true });
  const bytes = encodeEventFile(points, options);
  const startTime = options.startTime ?? points.reduce((t, p) => Math.min(t, p.wallTime), Date.now() / 1000);
  const file = path.join(dir, eventFileName(startTime));
  writeFileAtomic(file, bytes);
  return file;
}
