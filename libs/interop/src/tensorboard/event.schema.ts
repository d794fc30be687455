import * as protobuf from 'protobufjs';

/**
 * The part of TensorFlow's `Event` protobuf (tensorboard/compat/proto/event.proto, summary.proto, tensor.proto,
 * tensor_shape.proto) that scalar import and export need, declared with protobufjs reflection. Field numbers
 * are TensorFlow's; fields not declared here (images, histograms, audio, graphs, …) are skipped by the decoder
 * as unknown fields, and a value whose `oneof value` is one of them decodes with none of the declared kinds set.
 */
const descriptor: protobuf.INamespace = {
  nested: {
    tensorboard: {
      nested: {
        Event: {
          oneofs: { what: { oneof: ['file_version', 'graph_def', 'summary', 'session_log', 'meta_graph_def'] } },
          fields: {
            wall_time: { type: 'double', id: 1 },
            step: { type: 'int64', id: 2 },
            file_version: { type: 'string', id: 3 },
            graph_def: { type: 'bytes', id: 4 },
            summary: { type: 'Summary', id: 5 },
            session_log: { type: 'bytes', id: 7 },
            meta_graph_def: { type: 'bytes', id: 9 },
          },
        },
        Summary: {
          fields: { value: { rule: 'repeated', type: 'Value', id: 1 } },
          nested: {
            Value: {
              oneofs: {
                value: { oneof: ['simple_value', 'obsolete_old_style_histogram', 'image', 'histo', 'audio', 'tensor'] },
              },
              fields: {
                tag: { type: 'string', id: 1 },
                simple_value: { type: 'float', id: 2 },
                obsolete_old_style_histogram: { type: 'bytes', id: 3 },
                image: { type: 'bytes', id: 4 },
                histo: { type: 'bytes', id: 5 },
                audio: { type: 'bytes', id: 6 },
                node_name: { type: 'string', id: 7 },
                tensor: { type: 'TensorProto', id: 8 },
                metadata: { type: 'SummaryMetadata', id: 9 },
              },
            },
          },
        },
        SummaryMetadata: {
          fields: {
            plugin_data: { type: 'PluginData', id: 1 },
            display_name: { type: 'string', id: 2 },
            summary_description: { type: 'string', id: 3 },
            data_class: { type: 'int32', id: 4 },
          },
          nested: {
            PluginData: {
              fields: { plugin_name: { type: 'string', id: 1 }, content: { type: 'bytes', id: 2 } },
            },
          },
        },
        TensorProto: {
          fields: {
            dtype: { type: 'int32', id: 1 },
            tensor_shape: { type: 'TensorShapeProto', id: 2 },
            tensor_content: { type: 'bytes', id: 4 },
            float_val: { rule: 'repeated', type: 'float', id: 5, options: { packed: true } },
            double_val: { rule: 'repeated', type: 'double', id: 6, options: { packed: true } },
          },
        },
        TensorShapeProto: {
          fields: {
            dim: { rule: 'repeated', type: 'Dim', id: 2 },
            unknown_rank: { type: 'bool', id: 3 },
          },
          nested: { Dim: { fields: { size: { type: 'int64', id: 1 }, name: { type: 'string', id: 2 } } } },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(descriptor);
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
