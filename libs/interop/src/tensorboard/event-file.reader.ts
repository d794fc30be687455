import { readFileSync } from 'node:fs';
import {
  DATA_CLASS_SCALAR,
  DT_DOUBLE,
  DT_FLOAT,
  SCALARS_PLUGIN,
  decodeEvent,
  type EventMessage,
  type SummaryValueMessage,
  type TensorMessage,
} from './event.schema';
import { TfRecordError, readTfRecords } from './tfrecord.format';

/** One scalar of an event file: TensorBoard's tag, global step, value and wall time (seconds since the epoch). */
export interface ScalarPoint {
  readonly tag: string;
  readonly step: number;
  readonly value: number;
  readonly wallTime: number;
}

/** Summary values that are not scalars (images, histograms, text, …): counted per tag and kind, not imported. */
export interface SkippedValues {
  readonly tag: string;
  readonly kind: string;
  count: number;
}

export interface EventFileContent {
  readonly file: string;
  /** `file_version` of the first event (`brain.Event:2`), null when the file has none. */
  readonly fileVersion: string | null;
  readonly points: ScalarPoint[];
  readonly skipped: SkippedValues[];
  /** Records read (including the file_version event and events that hold no scalar). */
  readonly records: number;
  /** The first unreadable record; `points` holds everything before it. */
  readonly error: TfRecordError | null;
}

/** What a tag's series is, from the first value that carries metadata (later values usually carry none). */
interface TagKind {
  readonly plugin: string;
  readonly dataClass: number;
}

/** A rank-0 DT_FLOAT / DT_DOUBLE tensor's value, or a reason why it is not one. */
function tensorScalar(tensor: TensorMessage): { value: number } | { reason: string } {
  const dims = tensor.tensor_shape?.dim ?? [];
  if (dims.length > 0) return { reason: `tensor of shape [${dims.map((d) => d.size ?? 0).join(', ')}]` };
  const content = tensor.tensor_content;
  if (tensor.dtype === DT_FLOAT) {
    if (tensor.float_val?.length === 1) return { value: tensor.float_val[0] as number };
    if (content?.length === 4) return { value: new DataView(content.buffer, content.byteOffset, 4).getFloat32(0, true) };
  } else if (tensor.dtype === DT_DOUBLE) {
    if (tensor.double_val?.length === 1) return { value: tensor.double_val[0] as number };
    if (content?.length === 8) return { value: new DataView(content.buffer, content.byteOffset, 8).getFloat64(0, true) };
  } else {
    return { reason: `tensor of dtype ${tensor.dtype ?? 0} (only DT_FLOAT and DT_DOUBLE scalars are read)` };
  }
  return { reason: 'scalar tensor without exactly one value' };
}

function valueKind(value: SummaryValueMessage): string {
  switch (value.value) {
    case 'image':
      return 'image';
    case 'histo':
    case 'obsolete_old_style_histogram':
      return 'histogram';
    case 'audio':
      return 'audio';
    case undefined:
      return 'unknown value kind';
    default:
      return value.value;
  }
}

/**
 * Collects scalars from decoded events. A run's files share one instance, so a tag whose plugin metadata sits on
 * its first value in an earlier file is still recognised.
 */
export class ScalarCollector {
  private readonly tagKinds = new Map<string, TagKind>();

  collect(event: EventMessage, points: ScalarPoint[], skipped: Map<string, SkippedValues>): void {
    const values = event.summary?.value ?? [];
    const step = event.step ?? 0;
    const wallTime = event.wall_time ?? 0;
    for (const value of values) {
      const tag = value.tag ?? '';
      const metadata = value.metadata;
      if (metadata && !this.tagKinds.has(tag)) {
        this.tagKinds.set(tag, { plugin: metadata.plugin_data?.plugin_name ?? '', dataClass: metadata.data_class ?? 0 });
      }
      if (value.value === 'simple_value') {
        points.push({ tag, step, value: value.simple_value ?? 0, wallTime });
        continue;
      }
      let kind = valueKind(value);
      if (value.value === 'tensor' && value.tensor) {
        const tagKind = this.tagKinds.get(tag);
        const isScalarSeries = tagKind !== undefined && (tagKind.plugin === SCALARS_PLUGIN || tagKind.dataClass === DATA_CLASS_SCALAR);
        if (isScalarSeries) {
          const scalar = tensorScalar(value.tensor);
          if ('value' in scalar) {
            points.push({ tag, step, value: scalar.value, wallTime });
            continue;
          }
          kind = `scalars-plugin ${scalar.reason}`;
        } else {
          kind = tagKind?.plugin ? `tensor of plugin "${tagKind.plugin}"` : 'tensor without scalars-plugin metadata';
        }
      }
      const key = `${tag}\u0000${kind}`;
      const entry = skipped.get(key);
      if (entry) entry.count += 1;
      else skipped.set(key, { tag, kind, count: 1 });
    }
  }
}

/**
 * Reads the scalar points of one TensorBoard event file (`events.out.tfevents.*`): `simple_value` summaries and
 * rank-0 float/double tensors of the scalars plugin. Stops at the first truncated, corrupt or non-`Event`
 * record with `error` naming the file and the record's byte offset, keeping the points read before it.
 */
export function readEventFile(file: string, bytes: Uint8Array = readFileSync(file), collector = new ScalarCollector()): EventFileContent {
  const points: ScalarPoint[] = [];
  const skipped = new Map<string, SkippedValues>();
  let fileVersion: string | null = null;
  let records = 0;
  let error: TfRecordError | null = null;
  if (bytes.length === 0) {
    error = new TfRecordError(file, 0, 'empty file (no records; is the writer still running or was it never flushed?)');
  } else {
    try {
      for (const record of readTfRecords(bytes, file)) {
        let event: EventMessage;
        try {
          event = decodeEvent(record.data);
        } catch (cause) {
          throw new TfRecordError(file, record.offset, `not an Event protobuf (${cause instanceof Error ? cause.message : String(cause)})`);
        }
        if (records === 0 && event.file_version !== undefined) fileVersion = event.file_version;
        records += 1;
        collector.collect(event, points, skipped);
      }
    } catch (caught) {
      if (!(caught instanceof TfRecordError)) throw caught;
      error = caught;
    }
  }
  return { file, fileVersion, points, skipped: [...skipped.values()], records, error };
}
