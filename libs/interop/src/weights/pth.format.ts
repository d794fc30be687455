import { unzipSync, zipSync, type ZipAttributes } from 'fflate';
import { pickleStateDict, type PickledTensor } from './pickle.writer';
import { PickleError, PyTuple, unpickle, type PyValue, type StorageDtype, type TensorRef } from './pickle.reader';

/**
 * PyTorch's zip serialization (`torch.save` since 1.6), what `torch.load` reads:
 *   archive/data.pkl      pickle (protocol 2) of the object; tensors are persistent ids naming a storage record
 *   archive/data/<key>    each storage's raw bytes, little-endian
 *   archive/version       "3"
 *   archive/byteorder     "little"
 * Entries are stored uncompressed with each record's data aligned to 64 bytes (PyTorch pads the local header's
 * extra field the same way, so a reader can memory-map the tensors).
 */
export const PTH_ALIGNMENT = 64;
const LOCAL_HEADER_BYTES = 30;
const EXTRA_HEADER_BYTES = 4;
const PAD_EXTRA_ID = 0x4246; // "FB", the id PyTorch's writer uses for its padding field
const FIXED_MTIME = new Date('1980-01-01T00:00:00Z');

export type PthTensor =
  | { readonly name: string; readonly dtype: 'float32'; readonly shape: readonly number[]; readonly data: Float32Array }
  | { readonly name: string; readonly dtype: 'int64'; readonly shape: readonly number[]; readonly data: BigInt64Array };

const isLittleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The bytes of a `torch.load`-able file holding an OrderedDict state dict of `tensors` (in this order). */
export function encodePthStateDict(tensors: readonly PthTensor[], archiveName = 'archive'): Uint8Array {
  if (!isLittleEndian) throw new Error('.pth writing needs a little-endian machine');
  const names = new Set<string>();
  const pickled: PickledTensor[] = tensors.map((t, i) => {
    if (names.has(t.name)) throw new Error(`duplicate tensor name "${t.name}"`);
    names.add(t.name);
    const numel = t.shape.reduce((a, b) => a * b, 1);
    if (numel !== t.data.length) throw new Error(`tensor "${t.name}": shape [${t.shape.join(', ')}] does not hold ${t.data.length} values`);
    return { name: t.name, storageKey: String(i), storageType: t.dtype === 'float32' ? 'FloatStorage' : 'LongStorage', numel, shape: t.shape };
  });
  const entries: [string, Uint8Array][] = [
    [`${archiveName}/data.pkl`, pickleStateDict(pickled)],
    [`${archiveName}/byteorder`, Buffer.from('little')],
    ...tensors.map((t, i): [string, Uint8Array] => [`${archiveName}/data/${i}`, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)]),
    [`${archiveName}/version`, Buffer.from('3\n')],
  ];
  const files: Record<string, [Uint8Array, ZipAttributes & { level: 0 }]> = {};
  let offset = 0;
  for (const [name, data] of entries) {
    const nameBytes = Buffer.byteLength(name, 'utf8');
    const unpadded = offset + LOCAL_HEADER_BYTES + nameBytes + EXTRA_HEADER_BYTES;
    const pad = (PTH_ALIGNMENT - (unpadded % PTH_ALIGNMENT)) % PTH_ALIGNMENT;
    files[name] = [data, { level: 0, mtime: FIXED_MTIME, extra: { [PAD_EXTRA_ID]: new Uint8Array(pad).fill(0x5a) } }];
    offset = unpadded + pad + data.length;
  }
  return zipSync(files, { level: 0, mtime: FIXED_MTIME });
}

/** A read `torch.save` file: its unpickled object (tensors as references) and the storages. */
export interface PthFile {
  readonly root: PyValue;
  /** The tensor a reference points at, as float32 (from float32/float64 storages) or int64. */
  tensor(ref: TensorRef): { dtype: 'float32'; shape: number[]; data: Float32Array } | { dtype: 'int64'; shape: number[]; data: BigInt64Array };
}

/** Most bytes a .pth may unpack to (a width-8 ResNet-18 with its optimizer state is far below). */
export const MAX_PTH_BYTES = 4 * 1024 ** 3;

const ELEMENT_BYTES: Readonly<Record<StorageDtype, number>> = {
  float32: 4,
  float64: 8,
  int64: 8,
  int32: 4,
  float16: 2,
  bfloat16: 2,
  uint8: 1,
  int8: 1,
  int16: 2,
  bool: 1,
};

/** Reads a `torch.save` zip file with the restricted unpickler; errors name the file. */
export function readPth(bytes: Uint8Array, file: string): PthFile {
  if (bytes.length < 4 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) {
    throw new Error(`${file}: not a zip-based PyTorch file (legacy pre-1.6 torch.save files are not supported; re-save with torch.save)`);
  }
  let total = 0;
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, {
      filter: (f) => {
        total += f.originalSize;
        if (total > MAX_PTH_BYTES) throw new Error(`unpacks to more than ${MAX_PTH_BYTES} bytes`);
        return true;
      },
    });
  } catch (error) {
    throw new Error(`${file}: not a readable zip file (${error instanceof Error ? error.message : String(error)})`);
  }
  const pickles = Object.keys(entries).filter((name) => /^[^/]+\/data\.pkl$/.test(name));
  if (pickles.length !== 1) throw new Error(`${file}: expected one <archive>/data.pkl, found ${pickles.length}`);
  const pickleName = pickles[0] as string;
  const prefix = pickleName.slice(0, -'data.pkl'.length);
  let root: PyValue;
  try {
    root = unpickle(entries[pickleName] as Uint8Array);
  } catch (error) {
    if (error instanceof PickleError) throw new Error(`${file}: ${pickleName}: ${error.message}`);
    throw error;
  }
  return {
    root,
    tensor(ref) {
      const record = `${prefix}data/${ref.storage.key}`;
      const raw = Object.hasOwn(entries, record) ? entries[record] : undefined;
      if (raw === undefined) throw new Error(`${file}: storage record ${record} is missing`);
      const size = ELEMENT_BYTES[ref.storage.dtype];
      if (raw.length !== ref.storage.numel * size) throw new Error(`${file}: ${record} holds ${raw.length} bytes, expected ${ref.storage.numel}×${size}`);
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      const numel = ref.shape.reduce((a, b) => a * b, 1);
      const index = new Array<number>(ref.shape.length).fill(0);
      const sourceIndex = (): number => ref.offset + index.reduce((s, v, d) => s + v * (ref.stride[d] as number), 0);
      const advance = (): void => {
        for (let d = index.length - 1; d >= 0; d--) {
          index[d] = (index[d] as number) + 1;
          if ((index[d] as number) < (ref.shape[d] as number)) return;
          index[d] = 0;
        }
      };
      const check = (i: number): number => {
        if (i < 0 || i >= ref.storage.numel) throw new Error(`${file}: a tensor of ${record} reads outside its storage`);
        return i;
      };
      if (ref.storage.dtype === 'int64') {
        const data = new BigInt64Array(numel);
        for (let o = 0; o < numel; o++, advance()) data[o] = view.getBigInt64(check(sourceIndex()) * 8, true);
        return { dtype: 'int64', shape: [...ref.shape], data };
      }
      if (ref.storage.dtype !== 'float32' && ref.storage.dtype !== 'float64') {
        throw new Error(`${file}: ${record} is a ${ref.storage.dtype} storage (only float32, float64 and int64 tensors are read)`);
      }
      const data = new Float32Array(numel);
      const double = ref.storage.dtype === 'float64';
      for (let o = 0; o < numel; o++, advance()) {
        const i = check(sourceIndex());
        data[o] = double ? view.getFloat64(i * 8, true) : view.getFloat32(i * 4, true);
      }
      return { dtype: 'float32', shape: [...ref.shape], data };
    },
  };
}

export function isTensorRef(value: PyValue): value is TensorRef {
  return typeof value === 'object' && value !== null && !(value instanceof Map) && !(value instanceof PyTuple) && !Array.isArray(value) && 'kind' in value && value.kind === 'tensor';
}
