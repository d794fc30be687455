import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { readSafetensors, type MethodModel, type NamedVariable, type Resnet18Backbone, type StoredTensor } from '@equilab/sie';
import { TO_REFERENCE_CONV, mappingForEquilab } from './reference-naming';
import { readReferenceWeights } from './reference-weights';

/**
 * Weights a fresh pretraining run starts from instead of its seeded initialisation (`equilab train --init-weights`,
 * a platform run's `initWeights`). Accepted files:
 *
 * | file                                                        | source                 | backbone | heads (`method.*`) |
 * |-------------------------------------------------------------|------------------------|----------|--------------------|
 * | Equilab `final_weights.safetensors` (a run's final weights)  | `equilab-final-weights`| yes      | no                 |
 * | Equilab `checkpoint.safetensors` (`backbone.*`, `method.*`)  | `equilab-checkpoint`   | yes      | yes (projectors, predictor, AugSelf head) |
 * | reference `final_weights.pth` / `model.pth` (`module.backbone.*`), safetensors in the reference naming | `reference-pth`, `reference-safetensors` | yes | no: the reference's head modules are not mapped |
 *
 * Only weights and batch-norm statistics are taken: the optimizer's moments start at zero, the step at 0, the
 * online evaluator's probes from the seed, and the seed still orders the data and samples the views (the seeded
 * initialisation is drawn and then overwritten, so a run with and without `--init-weights` sees the same batches).
 */
export type InitialWeightsSource = 'equilab-final-weights' | 'equilab-checkpoint' | 'reference-pth' | 'reference-safetensors';

/** A weights file a run cannot start from (unreadable, a tensor missing or misshapen, another method): not retryable. */
export class InitialWeightsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InitialWeightsError';
  }
}

/** One tensor to load: Equilab name and layout, plus how the file names and shapes it (for error messages). */
interface InitialTensor extends StoredTensor {
  readonly fileName: string;
  readonly fileShape: readonly number[];
}

export interface InitialWeights {
  readonly file: string;
  readonly source: InitialWeightsSource;
  /** The method the file records (Equilab files), null when it records none (the reference's files). */
  readonly method: string | null;
  /** Key prefix the backbone was stored under (`module.backbone.` for a reference `model.pth`, `backbone.` in a checkpoint). */
  readonly prefix: string;
  readonly backbone: readonly InitialTensor[];
  /** `method.*` tensors of an Equilab checkpoint (without the prefix), null when the file holds no heads. */
  readonly heads: readonly InitialTensor[] | null;
}

/** What was loaded into the run (the trainer logs it; the runner reports it). */
export interface InitialWeightsReport {
  readonly file: string;
  readonly source: InitialWeightsSource;
  readonly backboneTensors: number;
  /** 0 when the file holds no heads: they keep the seeded initialisation. */
  readonly headTensors: number;
}

function equilabMetadataMethod(metadata: Readonly<Record<string, string>>): string | null {
  const raw = metadata['equilab'];
  if (raw === undefined) return null;
  try {
    const parsed = JSON.parse(raw) as { method?: unknown };
    return typeof parsed.method === 'string' ? parsed.method : null;
  } catch {
    return null;
  }
}

function own(t: StoredTensor, fileName = t.name): InitialTensor {
  return { ...t, fileName, fileShape: [...t.shape] };
}

/** The tensor names of a safetensors header, or null when the bytes are not one (the reference reader explains why). */
function safetensorsNames(bytes: Buffer): Set<string> | null {
  if (bytes.length < 8) return null;
  const length = Number(bytes.readBigUInt64LE(0));
  if (length <= 0 || 8 + length > bytes.length) return null;
  try {
    return new Set(Object.keys(JSON.parse(bytes.subarray(8, 8 + length).toString('utf8')) as object));
  } catch {
    return null;
  }
}

/** Reads and classifies an initial-weights file; a malformed file is an error naming the file (and the tensor). */
export function readInitialWeights(file: string): InitialWeights {
  try {
    return classify(file);
  } catch (error) {
    if (error instanceof InitialWeightsError || (error as NodeJS.ErrnoException).code === 'ENOENT') throw error;
    throw new InitialWeightsError(error instanceof Error ? error.message : String(error));
  }
}

function classify(file: string): InitialWeights {
  const bytes = readFileSync(file);
  const names = bytes[0] === 0x50 && bytes[1] === 0x4b ? null : safetensorsNames(bytes);
  if (names?.has('stem.conv') || names?.has('backbone.stem.conv')) {
    const stored = readSafetensors(file);
    const method = equilabMetadataMethod(stored.metadata);
    const all = [...stored.tensors.values()];
    if (names.has('stem.conv')) {
      return { file, source: 'equilab-final-weights', method, prefix: '', backbone: all.map((t) => own(t)), heads: null };
    }
    const strip = (prefix: string): InitialTensor[] =>
      all.filter((t) => t.name.startsWith(prefix)).map((t) => own({ ...t, name: t.name.slice(prefix.length) }, t.name));
    const heads = strip('method.');
    return { file, source: 'equilab-checkpoint', method, prefix: 'backbone.', backbone: strip('backbone.'), heads: heads.length > 0 ? heads : null };
  }
  const reference = readReferenceWeights(file);
  const backbone = reference.tensors.map((t): InitialTensor => {
    const entry = mappingForEquilab(t.name);
    const fileShape = entry?.kind === 'conv' ? TO_REFERENCE_CONV.map((p) => t.shape[p] as number) : [...t.shape];
    return { ...t, fileName: `${reference.prefix}${entry?.reference ?? t.name}`, fileShape };
  });
  return { file, source: reference.source === 'pth' ? 'reference-pth' : 'reference-safetensors', method: null, prefix: reference.prefix, backbone, heads: null };
}

/** Width multiplier of the file's backbone: its stem's output channels / 64 (null without a 4-D stem conv). */
export function initialWeightsWidth(weights: InitialWeights): number | null {
  const stem = weights.backbone.find((t) => t.name === 'stem.conv');
  return stem && stem.shape.length === 4 ? (stem.shape[3] as number) / 64 : null;
}

function expectedFileShape(weights: InitialWeights, name: string, shape: readonly number[]): number[] {
  const conv = weights.source.startsWith('reference') && mappingForEquilab(name)?.kind === 'conv';
  return conv ? TO_REFERENCE_CONV.map((p) => shape[p] as number) : [...shape];
}

/** Every variable of `targets` has a tensor of its shape in `tensors`, and nothing else is there. */
function check(weights: InitialWeights, part: string, tensors: readonly InitialTensor[], targets: readonly NamedVariable[], prefix: string): void {
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const wanted = new Set(targets.map((t) => t.name));
  for (const { name, variable } of targets) {
    const t = byName.get(name);
    const expected = expectedFileShape(weights, name, variable.shape);
    if (!t) {
      const fileName = weights.source.startsWith('reference') ? (mappingForEquilab(name)?.reference ?? name) : `${prefix}${name}`;
      throw new InitialWeightsError(`${weights.file}: missing tensor ${fileName} (the run's ${part} needs [${expected.join(', ')}])`);
    }
    if (t.shape.join(',') !== variable.shape.join(',')) {
      throw new InitialWeightsError(
        `${weights.file}: tensor ${t.fileName} has shape [${t.fileShape.join(', ')}], the run's ${part} needs [${expected.join(', ')}]` +
          (part === 'backbone' ? ' (is the width multiplier the same?)' : ''),
      );
    }
  }
  const extra = tensors.find((t) => !wanted.has(t.name));
  if (extra) throw new InitialWeightsError(`${weights.file}: tensor ${extra.fileName} is not a tensor of the run's ${part}`);
}

function assign(targets: readonly NamedVariable[], tensors: readonly InitialTensor[]): void {
  const byName = new Map(tensors.map((t) => [t.name, t]));
  for (const { name, variable } of targets) {
    const t = byName.get(name) as InitialTensor;
    tf.tidy(() => variable.assign(tf.tensor(t.data, [...t.shape], 'float32')));
  }
}

/**
 * Overwrites a fresh run's backbone (and its method heads when the file holds them) with `weights`. Everything
 * is checked before anything is assigned: a tensor missing, of the wrong shape or not of the model, or a file
 * recording another method, is an error naming the file and the tensor, and the model is left as it was.
 */
export function applyInitialWeights(weights: InitialWeights, method: string, parts: { backbone: Resnet18Backbone; model: MethodModel }): InitialWeightsReport {
  if (weights.method !== null && weights.method !== method) {
    throw new InitialWeightsError(`${weights.file}: weights of a ${weights.method} run; this run trains ${method} (initialise from weights of the same method)`);
  }
  const backboneTargets = [...parts.backbone.parameters(), ...parts.backbone.buffers()];
  check(weights, 'backbone', weights.backbone, backboneTargets, weights.source === 'equilab-checkpoint' ? 'backbone.' : '');
  const headTargets = [...parts.model.parameters(), ...parts.model.buffers()];
  if (weights.heads) check(weights, `${method} heads`, weights.heads, headTargets, 'method.');
  assign(backboneTargets, weights.backbone);
  if (weights.heads) assign(headTargets, weights.heads);
  return { file: weights.file, source: weights.source, backboneTensors: backboneTargets.length, headTensors: weights.heads ? headTargets.length : 0 };
}
