import { DataError } from '../data.error';

/**
 * NumPy `.npy` format (versions 1.0, 2.0, 3.0), C order, little-endian numeric dtypes and `<U{n}` strings.
 * Encoding reproduces `numpy.save` byte for byte (header layout, growth padding, 64-byte alignment).
 */
export type NpyNumericDtype = '<f8' | '<f4' | '<i8' | '<i4' | '|u1' | '|b1';
export type NpyDtype = NpyNumericDtype | `<U${number}`;

export type NpyArray =
  | { dtype: '<f8'; shape: number[]; data: Float64Array }
  | { dtype: '<f4'; shape: number[]; data: Float32Array }
  | { dtype: '<i8'; shape: number[]; data: BigInt64Array }
  | { dtype: '<i4'; shape: number[]; data: Int32Array }
  | { dtype: '|u1'; shape: number[]; data: Uint8Array }
  | { dtype: '|b1'; shape: number[]; data: Uint8Array }
  | { dtype: `<U${number}`; shape: number[]; data: string[] };

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY
const ARRAY_ALIGN = 64;
const GROWTH_AXIS_MAX_DIGITS = 21;
const NUMERIC_ITEM_SIZE: Record<NpyNumericDtype, number> = { '<f8': 8, '<f4': 4, '<i8': 8, '<i4': 4, '|u1': 1, '|b1': 1 };

function malformed(file: string, reason: string): DataError {
  return new DataError('NPY_MALFORMED', file, `malformed .npy: ${reason}`);
}

function itemSize(dtype: NpyDtype): number {
  const unicode = /^<U(\d+)$/.exec(dtype);
  if (unicode) return 4 * Number(unicode[1]);
  return NUMERIC_ITEM_SIZE[dtype as NpyNumericDtype];
}

function checkDtype(descr: string, file: string): NpyDtype {
  if (descr in NUMERIC_ITEM_SIZE) return descr as NpyNumericDtype;
  if (/^<U\d+$/.test(descr) && Number(descr.slice(2)) > 0) return descr as NpyDtype;
  let why = 'unsupported dtype';
  if (descr.startsWith('>') || /^>?U/.test(descr)) why = 'big-endian dtype is not supported';
  else if (descr.includes('O')) why = 'object arrays are not supported';
  throw new DataError(
    'NPY_UNSUPPORTED',
    file,
    `${why}: '${descr}' (supported: <f8 <f4 <i8 <i4 |u1 |b1 <U{n}, C order)`,
  );
}

interface NpyHeader {
  dtype: NpyDtype;
  shape: number[];
  dataOffset: number;
}

export function parseNpyHeader(buffer: Uint8Array, file: string): NpyHeader {
  if (buffer.length < 10 || !MAGIC.equals(buffer.subarray(0, 6))) throw malformed(file, 'missing \\x93NUMPY magic');
  const major = buffer[6] as number;
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (buffer.length < 12) throw malformed(file, 'truncated header');
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw malformed(file, `unknown format version ${major}.${buffer[7]}`);
  }
  const dataOffset = headerStart + headerLength;
  if (dataOffset > buffer.length) throw malformed(file, `header length ${headerLength} exceeds the file size`);
  const text = Buffer.from(buffer.subarray(headerStart, dataOffset)).toString(major === 3 ? 'utf8' : 'latin1').trim();
  if (!text.startsWith('{') || !text.endsWith('}')) throw malformed(file, `header is not a dict literal: ${JSON.stringify(text.slice(0, 80))}`);

  const descrList = /'descr'\s*:\s*\[/.exec(text);
  if (descrList) throw new DataError('NPY_UNSUPPORTED', file, 'structured dtypes are not supported');
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text);
  if (!descr) throw malformed(file, "header has no 'descr'");
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text);
  if (!fortran) throw malformed(file, "header has no 'fortran_order'");
  const shapeMatch = /'shape'\s*:\s*\(([^)]*)\)/.exec(text);
  if (!shapeMatch) throw malformed(file, "header has no 'shape' tuple");
  const dtype = checkDtype(descr[1] as string, file);
  if (fortran[1] === 'True') {
    throw new DataError('NPY_UNSUPPORTED', file, `Fortran-order arrays are not supported (dtype '${dtype}')`);
  }
  const parts = (shapeMatch[1] as string).split(',').map((p) => p.trim());
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  const shape = parts.map((p) => {
    if (!/^\d+L?$/.test(p)) throw malformed(file, `bad shape entry ${JSON.stringify(p)}`);
    return Number.parseInt(p, 10);
  });
  return { dtype, shape, dataOffset };
}

/** Parse a whole `.npy` file held in memory. `file` only names the source in errors. */
export function parseNpy(buffer: Uint8Array, file = '<buffer>'): NpyArray {
  const { dtype, shape, dataOffset } = parseNpyHeader(buffer, file);
  const count = shape.reduce((a, b) => a * b, 1);
  const size = itemSize(dtype);
  const byteLength = count * size;
  const available = buffer.length - dataOffset;
  if (available < byteLength) {
    throw malformed(file, `data truncated: shape (${shape.join(', ')}) of '${dtype}' needs ${byteLength} bytes, found ${available}`);
  }
  // Copy into a fresh, aligned buffer (the data offset of an .npy is not always a multiple of 8).
  const bytes = new Uint8Array(byteLength);
  bytes.set(buffer.subarray(dataOffset, dataOffset + byteLength));
  switch (dtype) {
    case '<f8':
      return { dtype, shape, data: new Float64Array(bytes.buffer, 0, count) };
    case '<f4':
      return { dtype, shape, data: new Float32Array(bytes.buffer, 0, count) };
    case '<i8':
      return { dtype, shape, data: new BigInt64Array(bytes.buffer, 0, count) };
    case '<i4':
      return { dtype, shape, data: new Int32Array(bytes.buffer, 0, count) };
    case '|u1':
    case '|b1':
      return { dtype, shape, data: bytes };
    default: {
      const chars = size / 4;
      const codes = new Uint32Array(bytes.buffer, 0, count * chars);
      const data: string[] = new Array<string>(count);
      for (let i = 0; i < count; i++) {
        let end = i * chars;
        const stop = end + chars;
        const start = end;
        while (end < stop && codes[end] !== 0) end++;
        data[i] = String.fromCodePoint(...codes.subarray(start, end));
      }
      return { dtype, shape, data };
    }
  }
}

function shapeRepr(shape: readonly number[]): string {
  if (shape.length === 0) return '()';
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(', ')})`;
}

/** Encode like `numpy.save(file, array)` (version 1.0 unless the header needs 2.0). */
export function encodeNpy(array: NpyArray): Buffer {
  const count = array.shape.reduce((a, b) => a * b, 1);
  if (array.data.length !== count) {
    throw new DataError('INVALID_OPTION', 'array', `data has ${array.data.length} items, shape (${array.shape.join(', ')}) needs ${count}`);
  }
  let header = `{'descr': '${array.dtype}', 'fortran_order': False, 'shape': ${shapeRepr(array.shape)}, }`;
  if (array.shape.length > 0) header += ' '.repeat(GROWTH_AXIS_MAX_DIGITS - String(array.shape[0]).length);
  const hlen = header.length + 1;
  let version = 1;
  let prefix = 10;
  let padlen = ARRAY_ALIGN - ((prefix + hlen) % ARRAY_ALIGN);
  if (hlen + padlen > 0xffff) {
    version = 2;
    prefix = 12;
    padlen = ARRAY_ALIGN - ((prefix + hlen) % ARRAY_ALIGN);
  }
  const head = Buffer.alloc(prefix);
  MAGIC.copy(head, 0);
  head[6] = version;
  head[7] = 0;
  if (version === 1) head.writeUInt16LE(hlen + padlen, 8);
  else head.writeUInt32LE(hlen + padlen, 8);
  const headerBytes = Buffer.from(`${header}${' '.repeat(padlen)}\n`, 'latin1');

  let body: Buffer;
  if (array.dtype.startsWith('<U')) {
    const chars = itemSize(array.dtype) / 4;
    const codes = new Uint32Array(count * chars);
    (array.data as string[]).forEach((s, i) => {
      const points = Array.from(s, (c) => c.codePointAt(0) as number);
      if (points.length > chars) {
        throw new DataError('INVALID_OPTION', 'array', `string ${JSON.stringify(s)} is longer than ${array.dtype}`);
      }
      codes.set(points, i * chars);
    });
    body = Buffer.from(codes.buffer);
  } else {
    const data = array.data as Exclude<NpyArray['data'], string[]>;
    body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }
  return Buffer.concat([head, headerBytes, body]);
}

/** `<U{n}` with n = the longest string (as numpy infers for a list of str). */
export function unicodeArray(strings: readonly string[]): NpyArray {
  const n = Math.max(1, ...strings.map((s) => Array.from(s).length));
  return { dtype: `<U${n}`, shape: [strings.length], data: [...strings] };
}

/** Numbers of a numeric array as plain JS numbers (int64 must fit in 2^53). */
export function npyToNumbers(array: NpyArray, file = '<buffer>'): number[] {
  if (array.dtype.startsWith('<U')) throw new DataError('NPY_UNSUPPORTED', file, `expected a numeric array, got dtype '${array.dtype}'`);
  const out: number[] = [];
  for (const v of array.data as Exclude<NpyArray['data'], string[]>) {
    const n = Number(v);
    if (typeof v === 'bigint' && BigInt(n) !== v) throw new DataError('NPY_UNSUPPORTED', file, `int64 value ${v} exceeds 2^53`);
    out.push(n);
  }
  return out;
}
