/**
 * A pickle (protocol 2) writer for exactly what `torch.save(state_dict)` stores: an `OrderedDict` of
 * `str → torch._utils._rebuild_tensor_v2(persistent storage, offset, size, stride, requires_grad, hooks)`.
 * Written here because no maintained npm package writes pickles with persistent ids; the opcodes used are the
 * few below (Python's `pickletools` documents each).
 */
const OP = {
  PROTO: 0x80,
  GLOBAL: 0x63, // c
  EMPTY_TUPLE: 0x29, // )
  REDUCE: 0x52, // R
  MARK: 0x28, // (
  TUPLE: 0x74, // t
  BINUNICODE: 0x58, // X
  BININT: 0x4a, // J
  BININT1: 0x4b, // K
  BININT2: 0x4d, // M
  BINPERSID: 0x51, // Q
  NEWFALSE: 0x89,
  SETITEMS: 0x75, // u
  STOP: 0x2e, // .
} as const;

export type StorageType = 'FloatStorage' | 'LongStorage';

export interface PickledTensor {
  readonly name: string;
  /** Key of the storage's record, `archive/data/<key>`. */
  readonly storageKey: string;
  readonly storageType: StorageType;
  readonly numel: number;
  readonly shape: readonly number[];
}

class PickleBuilder {
  private readonly parts: Buffer[] = [];

  op(code: number): this {
    this.parts.push(Buffer.from([code]));
    return this;
  }

  global(module: string, name: string): this {
    this.parts.push(Buffer.from([OP.GLOBAL]), Buffer.from(`${module}\n${name}\n`, 'utf8'));
    return this;
  }

  string(value: string): this {
    const bytes = Buffer.from(value, 'utf8');
    const head = Buffer.alloc(5);
    head[0] = OP.BINUNICODE;
    head.writeUInt32LE(bytes.length, 1);
    this.parts.push(head, bytes);
    return this;
  }

  int(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0 || value > 0x7fffffff) throw new Error(`pickle: integer ${value} out of the supported range`);
    if (value < 0x100) this.parts.push(Buffer.from([OP.BININT1, value]));
    else if (value < 0x10000) {
      const b = Buffer.alloc(3);
      b[0] = OP.BININT2;
      b.writeUInt16LE(value, 1);
      this.parts.push(b);
    } else {
      const b = Buffer.alloc(5);
      b[0] = OP.BININT;
      b.writeInt32LE(value, 1);
      this.parts.push(b);
    }
    return this;
  }

  intTuple(values: readonly number[]): this {
    this.op(OP.MARK);
    for (const v of values) this.int(v);
    return this.op(OP.TUPLE);
  }

  build(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** Row-major (C-contiguous) strides of a shape. */
export function contiguousStrides(shape: readonly number[]): number[] {
  return shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
}

/** The `data.pkl` of a state dict whose tensors live in the given storages. */
export function pickleStateDict(tensors: readonly PickledTensor[]): Buffer {
  const p = new PickleBuilder();
  p.op(OP.PROTO).op(2);
  p.global('collections', 'OrderedDict').op(OP.EMPTY_TUPLE).op(OP.REDUCE);
  p.op(OP.MARK);
  for (const t of tensors) {
    p.string(t.name);
    p.global('torch._utils', '_rebuild_tensor_v2');
    p.op(OP.MARK);
    // Persistent id: ('storage', storage type, key, location, numel) — torch.load's persistent_load reads it.
    p.op(OP.MARK).string('storage').global('torch', t.storageType).string(t.storageKey).string('cpu').int(t.numel).op(OP.TUPLE);
    p.op(OP.BINPERSID);
    p.int(0); // storage offset
    p.intTuple(t.shape);
    p.intTuple(contiguousStrides(t.shape));
    p.op(OP.NEWFALSE); // requires_grad
    p.global('collections', 'OrderedDict').op(OP.EMPTY_TUPLE).op(OP.REDUCE); // backward hooks
    p.op(OP.TUPLE).op(OP.REDUCE);
  }
  p.op(OP.SETITEMS).op(OP.STOP);
  return p.build();
}
