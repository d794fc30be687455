import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import {
  CHECKPOINT_FILE,
  FINAL_WEIGHTS_FILE,
  readSafetensors,
  writeSafetensors,
  type Resnet18Backbone,
  type StoredTensor,
} from '@equilab/sie';
import { writeFileAtomic } from '../common/atomic-file';
import { NUM_BATCHES_TRACKED, REFERENCE_BN_MODULES, RESNET18_MAPPING, fromReference, toReference } from './reference-naming';
import { encodePthStateDict, isTensorRef, readPth, type PthTensor } from './pth.format';
import type { PyValue } from './pickle.reader';

export const REFERENCE_WEIGHTS_FORMATS = ['pth-state-dict', 'safetensors-reference'] as const;
export type ReferenceWeightsFormat = (typeof REFERENCE_WEIGHTS_FORMATS)[number];

/** File name extension for each format. */
export const REFERENCE_WEIGHTS_EXTENSION: Readonly<Record<ReferenceWeightsFormat, string>> = {
  'pth-state-dict': '.pth',
  'safetensors-reference': '.safetensors',
};

/** A complete Equilab backbone (every mapped tensor present, nothing else) in the reference's names and layouts. */
export function toReferenceStateDict(tensors: Iterable<StoredTensor>): StoredTensor[] {
  const byName = new Map<string, StoredTensor>();
  for (const t of tensors) byName.set(t.name, t);
  const missing = RESNET18_MAPPING.filter((e) => !byName.has(e.equilab)).map((e) => e.equilab);
  if (missing.length > 0) throw new Error(`the backbone lacks ${missing.length} tensors (${missing.slice(0, 3).join(', ')}…): not a ResNet-18 of Equilab`);
  const extra = [...byName.keys()].filter((name) => !RESNET18_MAPPING.some((e) => e.equilab === name));
  if (extra.length > 0) throw new Error(`not a backbone tensor: ${extra.slice(0, 3).join(', ')}`);
  return RESNET18_MAPPING.map((e) => toReference(byName.get(e.equilab) as StoredTensor));
}

/** The reference state dict with `num_batches_tracked` (0: Equilab does not count batches) after each BN's tensors. */
function withBatchCounters(reference: readonly StoredTensor[]): PthTensor[] {
  const out: PthTensor[] = [];
  for (const t of reference) {
    out.push({ name: t.name, dtype: 'float32', shape: t.shape, data: t.data });
    if (t.name.endsWith('.running_var')) {
      out.push({ name: `${t.name.slice(0, -'running_var'.length)}${NUM_BATCHES_TRACKED}`, dtype: 'int64', shape: [], data: new BigInt64Array(1) });
    }
  }
  return out;
}

/**
 * Writes an Equilab backbone (Equilab names, e.g. a run's `final_weights.safetensors`) in the reference's naming
 * and layout: `pth-state-dict` (a `torch.load`-able OrderedDict, like the reference's `final_weights.pth`) or
 * `safetensors-reference` (`safetensors.torch.load_file`; `num_batches_tracked` stored as float32 0, which
 * `load_state_dict` copies into the int64 buffer). Returns the file size.
 */
export function writeReferenceWeights(tensors: Iterable<StoredTensor>, format: ReferenceWeightsFormat, file: string, metadata: Record<string, string> = {}): number {
  const stateDict = withBatchCounters(toReferenceStateDict(tensors));
  if (format === 'pth-state-dict') {
    const bytes = encodePthStateDict(stateDict);
    writeFileAtomic(file, bytes);
    return bytes.length;
  }
  return writeSafetensors(
    file,
    stateDict.map((t) => (t.dtype === 'float32' ? t : { name: t.name, shape: [], data: new Float32Array([Number(t.data[0])]) })),
    { format: 'equilab-backbone-reference-naming', ...metadata },
  );
}

/** Bytes of a reference-format file, in memory (the API streams these). */
export function encodeReferenceWeights(tensors: Iterable<StoredTensor>, format: ReferenceWeightsFormat): Uint8Array {
  if (format === 'pth-state-dict') return encodePthStateDict(withBatchCounters(toReferenceStateDict(tensors)));
  throw new Error(`format: in-memory encoding supports pth-state-dict only, got ${format}`);
}

export interface ReferenceWeights {
  /** Backbone tensors in Equilab's names and layouts, ready for `Resnet18Backbone.assign`. */
  readonly tensors: StoredTensor[];
  readonly source: 'pth' | 'safetensors';
  /** Key prefix stripped (`module.backbone.` for a reference `model.pth` checkpoint, '' for `final_weights.pth`). */
  readonly prefix: string;
}

/** Key prefixes under which the reference stores its backbone (spec §7): raw dict, DDP checkpoint, supervised. */
const BACKBONE_PREFIXES = ['', 'module.backbone.', 'backbone.'] as const;

function stripPrefix(names: readonly string[], file: string): string {
  for (const prefix of BACKBONE_PREFIXES) {
    if (names.includes(`${prefix}conv1.weight`)) return prefix;
  }
  throw new Error(`${file}: no ResNet-18 backbone found (no conv1.weight, module.backbone.conv1.weight or backbone.conv1.weight)`);
}

function collectBackbone(entries: ReadonlyMap<string, StoredTensor | 'counter'>, file: string): { tensors: StoredTensor[]; prefix: string } {
  const names = [...entries.keys()];
  const prefix = stripPrefix(names, file);
  const tensors: StoredTensor[] = [];
  for (const [name, entry] of entries) {
    if (!name.startsWith(prefix)) continue;
    const local = name.slice(prefix.length);
    if (prefix === '' && !RESNET18_MAPPING.some((e) => e.reference === local) && !local.endsWith(NUM_BATCHES_TRACKED)) {
      throw new Error(`${file}: ${local}: not a tensor of the reference's ResNet-18 backbone`);
    }
    if (entry === 'counter') continue;
    let mapped: StoredTensor | undefined;
    try {
      mapped = fromReference({ ...entry, name: local });
    } catch (error) {
      throw new Error(`${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (mapped) tensors.push(mapped);
  }
  const found = new Set(tensors.map((t) => t.name));
  const missing = RESNET18_MAPPING.filter((e) => !found.has(e.equilab)).map((e) => `${prefix}${e.reference}`);
  if (missing.length > 0) throw new Error(`${file}: missing ${missing.length} backbone tensors (${missing.slice(0, 3).join(', ')}…)`);
  return { tensors, prefix };
}

function stateDictOf(root: PyValue, file: string): Map<PyValue, PyValue> {
  if (!(root instanceof Map)) throw new Error(`${file}: the pickled object is not a dict`);
  // A reference training checkpoint: {epoch, model: state_dict, optimizer}.
  for (const key of ['model', 'state_dict']) {
    const inner = root.get(key);
    if (inner instanceof Map) return inner;
  }
  return root;
}

function isCounter(name: string): boolean {
  return name.endsWith(`.${NUM_BATCHES_TRACKED}`) && REFERENCE_BN_MODULES.some((m) => name.endsWith(`${m}.${NUM_BATCHES_TRACKED}`));
}

/** Reads the reference's `.pth` (restricted unpickler) or safetensors in reference naming into Equilab's backbone layout. */
export function readReferenceWeights(file: string): ReferenceWeights {
  const bytes = readFileSync(file);
  const entries = new Map<string, StoredTensor | 'counter'>();
  let source: 'pth' | 'safetensors';
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) {
    source = 'pth';
    const pth = readPth(bytes, file);
    for (const [key, value] of stateDictOf(pth.root, file)) {
      if (typeof key !== 'string' || !isTensorRef(value)) continue;
      const t = pth.tensor(value);
      if (t.dtype === 'int64') {
        if (!isCounter(key)) throw new Error(`${file}: ${key} is an int64 tensor (expected float weights)`);
        entries.set(key, 'counter');
      } else entries.set(key, { name: key, shape: t.shape, data: t.data });
    }
  } else {
    source = 'safetensors';
    for (const [key, value] of readReferenceSafetensors(bytes, file)) entries.set(key, value);
  }
  return { ...collectBackbone(entries, file), source };
}

/** safetensors written by PyTorch (`safetensors.torch.save_file(state_dict)`): F32/F64 tensors and I64 counters. */
function readReferenceSafetensors(bytes: Buffer, file: string): Map<string, StoredTensor | 'counter'> {
  if (bytes.length < 8) throw new Error(`${file}: neither a zip-based .pth nor a safetensors file (too short)`);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  if (headerLength <= 0 || 8 + headerLength > bytes.length) throw new Error(`${file}: neither a zip-based .pth nor a safetensors file (bad header length)`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new Error(`${file}: neither a zip-based .pth nor a safetensors file (header is not JSON)`);
  }
  const dataStart = 8 + headerLength;
  const out = new Map<string, StoredTensor | 'counter'>();
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const entry = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const shape = entry.shape;
    const offsets = entry.data_offsets;
    if (!Array.isArray(shape) || !Array.isArray(offsets) || offsets.length !== 2) throw new Error(`${file}: tensor "${name}" has a malformed header entry`);
    const [begin, end] = offsets as number[];
    if (!(Number.isInteger(begin) && Number.isInteger(end) && (begin as number) >= 0 && (end as number) >= (begin as number) && dataStart + (end as number) <= bytes.length)) {
      throw new Error(`${file}: tensor "${name}" lies outside the file`);
    }
    const data = bytes.subarray(dataStart + (begin as number), dataStart + (end as number));
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const numel = (shape as number[]).reduce((a, b) => a * b, 1);
    if (entry.dtype === 'I64' && isCounter(name)) out.set(name, 'counter');
    else if (entry.dtype === 'F32' || entry.dtype === 'F64') {
      const size = entry.dtype === 'F32' ? 4 : 8;
      if (data.length !== numel * size) throw new Error(`${file}: tensor "${name}" holds ${data.length} bytes, its shape needs ${numel * size}`);
      const values = new Float32Array(numel);
      for (let i = 0; i < numel; i++) values[i] = size === 4 ? view.getFloat32(i * 4, true) : view.getFloat64(i * 8, true);
      out.set(name, { name, shape: shape as number[], data: values });
    } else if (isCounter(name)) out.set(name, 'counter');
    else throw new Error(`${file}: tensor "${name}" has dtype ${String(entry.dtype)} (F32 and F64 weights are read)`);
  }
  return out;
}

/** Overwrites a backbone's weights and batch-norm statistics with reference weights (shapes must match). */
export function loadReferenceWeights(backbone: Resnet18Backbone, file: string): ReferenceWeights {
  const weights = readReferenceWeights(file);
  const values: Record<string, tf.Tensor> = {};
  try {
    for (const t of weights.tensors) values[t.name] = tf.tensor(t.data, [...t.shape], 'float32');
    backbone.assign(values);
  } catch (error) {
    throw new Error(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    for (const tensor of Object.values(values)) tensor.dispose();
  }
  return weights;
}

/** A backbone's parameters and buffers as plain data, in Equilab's names. */
export function backboneTensors(backbone: Resnet18Backbone): StoredTensor[] {
  return [...backbone.parameters(), ...backbone.buffers()].map(({ name, variable }) => ({
    name,
    shape: [...variable.shape],
    data: variable.dataSync() as Float32Array,
  }));
}

/** The tensors of an Equilab weights file (e.g. a run's `final_weights.safetensors` artifact), Equilab names. */
export function readEquilabWeights(file: string): StoredTensor[] {
  return [...readSafetensors(file).tensors.values()];
}

/**
 * The backbone of an Equilab run folder: `final_weights.safetensors` when training finished, else the
 * `backbone.*` tensors of `checkpoint.safetensors` (the last epoch end). `which` says which one was read.
 */
export function readRunBackbone(runDir: string): { tensors: StoredTensor[]; which: 'final' | 'checkpoint'; file: string } {
  const final = path.join(runDir, FINAL_WEIGHTS_FILE);
  if (existsSync(final)) return { tensors: readEquilabWeights(final), which: 'final', file: final };
  const checkpoint = path.join(runDir, CHECKPOINT_FILE);
  if (!existsSync(checkpoint)) throw new Error(`${runDir}: neither ${FINAL_WEIGHTS_FILE} nor ${CHECKPOINT_FILE} (is it a pretraining run's folder?)`);
  const tensors = [...readSafetensors(checkpoint).tensors.values()]
    .filter((t) => t.name.startsWith('backbone.'))
    .map((t) => ({ ...t, name: t.name.slice('backbone.'.length) }));
  return { tensors, which: 'checkpoint', file: checkpoint };
}
