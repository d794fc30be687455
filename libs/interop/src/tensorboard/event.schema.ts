import * as protobuf from 'protobufjs';

/**
 * The part of TensorFlow's `Event` protobuf (tensorboard/compat/proto/event.proto, summary.proto, tensor.proto,
 * tensor_shape.proto) that scalar import and export need, in TensorFlow's own .proto syntax (parsed by protobufjs).
 * Field numbers are TensorFlow's; fields not declared here (images, histograms, audio, graphs, …) are skipped by
 * the decoder as unknown fields, and a value whose `oneof value` is one of them decodes with none of the declared
 * kinds set.
 */
const EVENT_PROTO = `
syntax = "proto3";
package tensorboard;

message Event {
  double wall_time = 1;
  int64 step = 2;
  oneof what {
    string file_version = 3;
    bytes graph_def = 4;
    Summary summary = 5;
    bytes session_log = 7;
    bytes meta_graph_def = 9;
  }
}

message Summary {
  message Value {
    string tag = 1;
    string node_name = 7;
    SummaryMetadata metadata = 9;
    oneof value {
      float simple_value = 2;
      bytes obsolete_old_style_histogram = 3;
      bytes image = 4;
      bytes histo = 5;
      bytes audio = 6;
      TensorProto tensor = 8;
    }
  }
  repeated Value value = 1;
}

message SummaryMetadata {
  message PluginData {
    string plugin_name = 1;
    bytes content = 2;
  }
  PluginData plugin_data = 1;
  string display_name = 2;
  string summary_description = 3;
  int32 data_class = 4;
}

message TensorProto {
  int32 dtype = 1;
  TensorShapeProto tensor_shape = 2;
  bytes tensor_content = 4;
  repeated float float_val = 5 [packed = true];
  repeated double double_val = 6 [packed = true];
}

message TensorShapeProto {
  message Dim {
    int64 size = 1;
    string name = 2;
  }
  repeated Dim dim = 2;
  bool unknown_rank = 3;
}
`;

const root = protobuf.parse(EVENT_PROTO, { keepCase: true }).root;
export const EventType = root.lookupType('tensorboard.Event');

/** TensorFlow `DataType` values the scalar reader understands. */
export const DT_FLOAT = 1;
export const DT_DOUBLE = 2;
/** `DataClass.DATA_CLASS_SCALAR` of summary.proto. */
export const DATA_CLASS_SCALAR = 1;
/** The plugin TensorBoard shows scalar series with. */
export const SCALARS_PLUGIN = 'scalars';
/** What every event file starts with (`Event.file_version`). */
export const FILE_VERSION = 'brain.Event:2';

/** A decoded `Event` as plain data (`protobufjs` `toObject` with int64 as numbers, bytes as Uint8Array). */
export interface EventMessage {
  wall_time?: number;
  step?: number;
  file_version?: string;
  summary?: { value?: SummaryValueMessage[] };
  what?: string;
}

export interface SummaryValueMessage {
  tag?: string;
  simple_value?: number;
  tensor?: TensorMessage;
  metadata?: { plugin_data?: { plugin_name?: string; content?: Uint8Array }; data_class?: number };
  /** Which member of `oneof value` is set (undefined: none, or one this schema does not declare). */
  value?: string;
}

export interface TensorMessage {
  dtype?: number;
  tensor_shape?: { dim?: { size?: number }[]; unknown_rank?: boolean };
  tensor_content?: Uint8Array;
  float_val?: number[];
  double_val?: number[];
}

/** Decodes one record's bytes; throws protobufjs's error when they are not an `Event`. */
export function decodeEvent(bytes: Uint8Array): EventMessage {
  const message = EventType.decode(bytes);
  return EventType.toObject(message, { longs: Number, oneofs: true, defaults: false });
}

export function encodeEvent(event: Record<string, unknown>): Uint8Array {
  const problem = EventType.verify(event);
  if (problem) throw new Error(`Event: ${problem}`);
  return EventType.encode(EventType.fromObject(event)).finish();
}
