import type { StoredTensor } from '@equilab/sie';

/**
 * Equilab's ResNet-18 backbone (libs/sie `resnet18.backbone.ts`) ↔ the reference's `src/resnet.py` state_dict.
 *
 * | Equilab                              | reference (PyTorch)                         | layout change               |
 * |--------------------------------------|---------------------------------------------|-----------------------------|
 * | `stem.conv`                          | `conv1.weight`                              | [kh, kw, in, out] → [out, in, kh, kw] |
 * | `stem.bn.{gamma,beta}`               | `bn1.{weight,bias}`                         | none                        |
 * | `stem.bn.running_{mean,var}`         | `bn1.running_{mean,var}`                    | none                        |
 * | —                                    | `bn1.num_batches_tracked` (int64 scalar)    | written as 0, ignored on read |
 * | `layerS.B.conv{1,2}`                 | `layerS.B.conv{1,2}.weight`                 | as conv1                    |
 * | `layerS.B.bn{1,2}.*`                 | `layerS.B.bn{1,2}.*`                        | as bn1                      |
 * | `layerS.B.shortcut.conv`             | `layerS.B.downsample.0.weight`              | as conv1                    |
 * | `layerS.B.shortcut.bn.*`             | `layerS.B.downsample.1.*`                   | as bn1                      |
 *
 * There is no fc layer (the reference's backbone ends at the global average pool).
 */
const BN_FIELDS: ReadonlyArray<readonly [string, string]> = [
  ['gamma', 'weight'],
  ['beta', 'bias'],
  ['running_mean', 'running_mean'],
  ['running_var', 'running_var'],
];

export const NUM_BATCHES_TRACKED = 'num_batches_tracked';

/** One entry of the mapping, in the reference state_dict's order. */
export interface MappedEntry {
  readonly equilab: string;
  readonly reference: string;
  readonly kind: 'conv' | 'bn';
}

function moduleNames(): { equilab: string; reference: string; kind: 'conv' | 'bn' }[] {
  const modules: { equilab: string; reference: string; kind: 'conv' | 'bn' }[] = [
    { equilab: 'stem.conv', reference: 'conv1', kind: 'conv' },
    { equilab: 'stem.bn', reference: 'bn1', kind: 'bn' },
  ];
  for (let s = 1; s <= 4; s++) {
    for (let b = 0; b < 2; b++) {
      const p = `layer${s}.${b}`;
      modules.push(
        { equilab: `${p}.conv1`, reference: `${p}.conv1`, kind: 'conv' },
        { equilab: `${p}.bn1`, reference: `${p}.bn1`, kind: 'bn' },
        { equilab: `${p}.conv2`, reference: `${p}.conv2`, kind: 'conv' },
        { equilab: `${p}.bn2`, reference: `${p}.bn2`, kind: 'bn' },
      );
      // Every stage's first block has a projection shortcut (spec §2.3).
      if (b === 0) {
        modules.push(
          { equilab: `${p}.shortcut.conv`, reference: `${p}.downsample.0`, kind: 'conv' },
          { equilab: `${p}.shortcut.bn`, reference: `${p}.downsample.1`, kind: 'bn' },
        );
      }
    }
  }
  return modules;
}

/** Every Equilab backbone tensor with its reference name, in the reference state_dict's order. */
export const RESNET18_MAPPING: readonly MappedEntry[] = moduleNames().flatMap((m): MappedEntry[] =>
  m.kind === 'conv'
    ? [{ equilab: m.equilab, reference: `${m.reference}.weight`, kind: 'conv' }]
    : BN_FIELDS.map(([ours, theirs]) => ({ equilab: `${m.equilab}.${ours}`, reference: `${m.reference}.${theirs}`, kind: 'bn' })),
);

/** Batch-norm modules of the reference (each has a `num_batches_tracked` buffer). */
export const REFERENCE_BN_MODULES: readonly string[] = moduleNames()
  .filter((m) => m.kind === 'bn')
  .map((m) => m.reference);

const byEquilab = new Map(RESNET18_MAPPING.map((e) => [e.equilab, e]));
const byReference = new Map(RESNET18_MAPPING.map((e) => [e.reference, e]));

export function mappingForEquilab(name: string): MappedEntry | undefined {
  return byEquilab.get(name);
}

export function mappingForReference(name: string): MappedEntry | undefined {
  return byReference.get(name);
}

/** Permutes a row-major tensor: out.shape[i] = shape[perm[i]]. */
export function permute(data: Float32Array, shape: readonly number[], perm: readonly number[]): { data: Float32Array; shape: number[] } {
  if (perm.length !== shape.length) throw new Error(`permute: permutation [${perm.join(', ')}] does not fit shape [${shape.join(', ')}]`);
  const outShape = perm.map((p) => shape[p] as number);
  const inStrides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const stridesInOutOrder = perm.map((p) => inStrides[p] as number);
  const out = new Float32Array(data.length);
  const index = new Array<number>(outShape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let d = 0; d < index.length; d++) src += (index[d] as number) * (stridesInOutOrder[d] as number);
    out[o] = data[src] as number;
    for (let d = index.length - 1; d >= 0; d--) {
      index[d] = (index[d] as number) + 1;
      if ((index[d] as number) < (outShape[d] as number)) break;
      index[d] = 0;
    }
  }
  return { data: out, shape: outShape };
}

/** Equilab conv [kh, kw, in, out] → PyTorch [out, in, kh, kw]. */
export const TO_REFERENCE_CONV = [3, 2, 0, 1] as const;
/** PyTorch conv [out, in, kh, kw] → Equilab [kh, kw, in, out]. */
export const FROM_REFERENCE_CONV = [2, 3, 1, 0] as const;

/** An Equilab backbone tensor in the reference's name and layout. */
export function toReference(tensor: StoredTensor): StoredTensor {
  const entry = mappingForEquilab(tensor.name);
  if (!entry) throw new Error(`${tensor.name}: not a tensor of Equilab's ResNet-18 backbone`);
  if (entry.kind === 'bn') return { name: entry.reference, shape: [...tensor.shape], data: tensor.data };
  if (tensor.shape.length !== 4) throw new Error(`${tensor.name}: a conv weight must have 4 dimensions, got [${tensor.shape.join(', ')}]`);
  const { data, shape } = permute(tensor.data, tensor.shape, TO_REFERENCE_CONV);
  return { name: entry.reference, shape, data };
}

/** A reference state_dict tensor in Equilab's name and layout (undefined for `num_batches_tracked`). */
export function fromReference(tensor: StoredTensor): StoredTensor | undefined {
  if (tensor.name.endsWith(`.${NUM_BATCHES_TRACKED}`) && REFERENCE_BN_MODULES.includes(tensor.name.slice(0, -NUM_BATCHES_TRACKED.length - 1))) {
    return undefined;
  }
  const entry = mappingForReference(tensor.name);
  if (!entry) throw new Error(`${tensor.name}: not a tensor of the reference's ResNet-18 backbone (fc layers and method heads are not mapped)`);
  if (entry.kind === 'bn') return { name: entry.equilab, shape: [...tensor.shape], data: tensor.data };
  if (tensor.shape.length !== 4) throw new Error(`${tensor.name}: a conv weight must have 4 dimensions, got [${tensor.shape.join(', ')}]`);
  const { data, shape } = permute(tensor.data, tensor.shape, FROM_REFERENCE_CONV);
  return { name: entry.equilab, shape, data };
}
