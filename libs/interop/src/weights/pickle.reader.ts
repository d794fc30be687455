/**
 * A restricted unpickler for PyTorch checkpoints (`data.pkl` of a `torch.save` zip file): it accepts only the
 * opcodes a state dict or a training checkpoint uses (containers, numbers, strings, persistent ids) and only
 * these globals: `collections.OrderedDict`, `torch._utils._rebuild_tensor_v2`, `torch._utils._rebuild_parameter`
 * and the storage types. Anything else — in particular any other callable — is refused, so loading a foreign
 * file can never run code. Written here because the npm pickle parsers construct arbitrary globals instead of
 * refusing them and none resolves torch's persistent storage ids.
 */

export type StorageDtype = 'float32' | 'float64' | 'int64' | 'int32' | 'float16' | 'bfloat16' | 'uint8' | 'int8' | 'int16' | 'bool';

const STORAGE_TYPES: Readonly<Record<string, StorageDtype>> = {
  FloatStorage: 'float32',
  DoubleStorage: 'float64',
  LongStorage: 'int64',
  IntStorage: 'int32',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  ByteStorage: 'uint8',
  CharStorage: 'int8',
  ShortStorage: 'int16',
  BoolStorage: 'bool',
};

export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
}

export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

export interface StorageRef {
  readonly kind: 'storage';
  readonly key: string;
  readonly dtype: StorageDtype;
  readonly numel: number;
}

export interface TensorRef {
  readonly kind: 'tensor';
  readonly storage: StorageRef;
  readonly offset: number;
  readonly shape: number[];
  readonly stride: number[];
}

export type PyValue = null | boolean | number | bigint | string | PyValue[] | PyTuple | Map<PyValue, PyValue> | PyGlobal | StorageRef | TensorRef;

export class PickleError extends Error {
  constructor(
    readonly position: number,
    reason: string,
  ) {
    super(`pickle byte ${position}: ${reason}`);
    this.name = 'PickleError';
  }
}

const ALLOWED_GLOBALS = new Set(['collections.OrderedDict', 'torch._utils._rebuild_tensor_v2', 'torch._utils._rebuild_parameter']);

function isAllowedGlobal(module: string, name: string): boolean {
  return ALLOWED_GLOBALS.has(`${module}.${name}`) || (module === 'torch' && Object.hasOwn(STORAGE_TYPES, name));
}

function asInt(value: PyValue, what: string, pos: number): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'bigint' && value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(value);
  throw new PickleError(pos, `${what}: expected an integer`);
}

function intTuple(value: PyValue, what: string, pos: number): number[] {
  if (!(value instanceof PyTuple)) throw new PickleError(pos, `${what}: expected a tuple`);
  return value.items.map((v) => asInt(v, what, pos));
}

/** Parses a pickle; throws PickleError at the first opcode or global outside the allowed set. */
export function unpickle(bytes: Uint8Array): PyValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pos = 0;
  let stack: PyValue[] = [];
  const metastack: PyValue[][] = [];
  const memo = new Map<number, PyValue>();

  const need = (n: number): void => {
    if (pos + n > bytes.length) throw new PickleError(pos, 'unexpected end of data');
  };
  const u8 = (): number => {
    need(1);
    return bytes[pos++] as number;
  };
  const u32 = (): number => {
    need(4);
    const v = view.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const text = (n: number): string => {
    need(n);
    const s = decoder.decode(bytes.subarray(pos, pos + n));
    pos += n;
    return s;
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw new PickleError(pos, 'unterminated line');
    const s = decoder.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = (): PyValue => {
    if (stack.length === 0) throw new PickleError(pos, 'stack underflow');
    return stack.pop() as PyValue;
  };
  const top = (): PyValue => {
    if (stack.length === 0) throw new PickleError(pos, 'stack underflow');
    return stack[stack.length - 1] as PyValue;
  };
  const popMark = (): PyValue[] => {
    const items = stack;
    const previous = metastack.pop();
    if (previous === undefined) throw new PickleError(pos, 'MARK missing');
    stack = previous;
    return items;
  };
  const pushGlobal = (module: string, name: string, at: number): void => {
    if (!isAllowedGlobal(module, name)) {
      throw new PickleError(at, `global ${module}.${name} is not allowed (a state dict holds only tensors, dicts, lists and numbers)`);
    }
    stack.push(new PyGlobal(module, name));
  };
  const setItems = (target: PyValue, items: PyValue[]): void => {
    if (!(target instanceof Map)) throw new PickleError(pos, 'SETITEM(S) on a value that is not a dict');
    if (items.length % 2 !== 0) throw new PickleError(pos, 'SETITEMS with an odd number of items');
    for (let i = 0; i < items.length; i += 2) target.set(items[i] as PyValue, items[i + 1] as PyValue);
  };
  const reduce = (callable: PyValue, args: PyValue): PyValue => {
    if (!(callable instanceof PyGlobal) || !(args instanceof PyTuple)) throw new PickleError(pos, 'REDUCE of something that is not an allowed global');
    const full = `${callable.module}.${callable.name}`;
    if (full === 'collections.OrderedDict') {
      if (args.items.length !== 0) throw new PickleError(pos, 'OrderedDict with constructor arguments');
      return new Map();
    }
    if (full === 'torch._utils._rebuild_tensor_v2') {
      // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
      const [storage, offset, size, stride] = args.items;
      if (!storage || typeof storage !== 'object' || !('kind' in storage) || storage.kind !== 'storage') {
        throw new PickleError(pos, '_rebuild_tensor_v2 without a storage');
      }
      return { kind: 'tensor', storage, offset: asInt(offset ?? null, 'storage offset', pos), shape: intTuple(size ?? null, 'size', pos), stride: intTuple(stride ?? null, 'stride', pos) };
    }
    if (full === 'torch._utils._rebuild_parameter') {
      const [data] = args.items;
      if (!data || typeof data !== 'object' || !('kind' in data) || data.kind !== 'tensor') throw new PickleError(pos, '_rebuild_parameter without a tensor');
      return data;
    }
    throw new PickleError(pos, `${full} cannot be called`);
  };

  for (;;) {
    const at = pos;
    const code = u8();
    switch (code) {
      case 0x80: // PROTO
        if (u8() > 5) throw new PickleError(at, 'unsupported pickle protocol');
        break;
      case 0x95: // FRAME
        need(8);
        pos += 8;
        break;
      case 0x63: {
        // GLOBAL
        const module = line();
        pushGlobal(module, line(), at);
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw new PickleError(at, 'STACK_GLOBAL needs two strings');
        pushGlobal(module, name, at);
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const index = code === 0x68 ? u8() : u32();
        if (!memo.has(index)) throw new PickleError(at, `memo ${index} is empty`);
        stack.push(memo.get(index) as PyValue);
        break;
      }
      case 0x29: // EMPTY_TUPLE
        stack.push(new PyTuple([]));
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x28: // MARK
        metastack.push(stack);
        stack = [];
        break;
      case 0x74: {
        // TUPLE (popMark replaces `stack`: take the items before pushing)
        const items = popMark();
        stack.push(new PyTuple(items));
        break;
      }
      case 0x85: // TUPLE1
        stack.push(new PyTuple([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push(new PyTuple([pop(), b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push(new PyTuple([pop(), b, c]));
        break;
      }
      case 0x58: // BINUNICODE
        stack.push(text(u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text(u8()));
        break;
      case 0x4a: // BININT
        need(4);
        stack.push(view.getInt32(pos, true));
        pos += 4;
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        need(2);
        stack.push(view.getUint16(pos, true));
        pos += 2;
        break;
      case 0x8a: {
        // LONG1: little-endian two's complement
        const n = u8();
        need(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[pos + i] as number);
        if (n > 0 && ((bytes[pos + n - 1] as number) & 0x80) !== 0) v -= 1n << BigInt(8 * n);
        pos += n;
        stack.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x47: // BINFLOAT (big-endian)
        need(8);
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x51: {
        // BINPERSID: ('storage', storage type, key, location, numel)
        const pid = pop();
        if (!(pid instanceof PyTuple) || pid.items[0] !== 'storage') throw new PickleError(at, 'persistent id is not a torch storage');
        const [, type, key, , numel] = pid.items;
        if (!(type instanceof PyGlobal) || !Object.hasOwn(STORAGE_TYPES, type.name) || typeof key !== 'string') {
          throw new PickleError(at, 'persistent id with an unknown storage type');
        }
        stack.push({ kind: 'storage', key, dtype: STORAGE_TYPES[type.name] as StorageDtype, numel: asInt(numel ?? null, 'numel', at) });
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        stack.push(reduce(pop(), args));
        break;
      }
      case 0x73: {
        // SETITEM
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x61: {
        // APPEND
        const value = pop();
        const list = top();
        if (!Array.isArray(list)) throw new PickleError(at, 'APPEND to a value that is not a list');
        list.push(value);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        const list = top();
        if (!Array.isArray(list)) throw new PickleError(at, 'APPENDS to a value that is not a list');
        list.push(...items);
        break;
      }
      case 0x62: {
        // BUILD: only a dict's attribute state (a state dict's `_metadata`), which is dropped.
        pop();
        if (!(top() instanceof Map)) throw new PickleError(at, 'BUILD on a value that is not a dict');
        break;
      }
      case 0x2e: // STOP
        if (stack.length !== 1) throw new PickleError(at, 'STOP with a malformed stack');
        return stack[0] as PyValue;
      default:
        throw new PickleError(at, `opcode 0x${code.toString(16).padStart(2, '0')} is not allowed in a state dict`);
    }
  }
}
