import { closeSync, fsyncSync, openSync, readSync, renameSync, rmSync, writeSync, fstatSync } from 'node:fs';

/**
 * The safetensors file format (huggingface/safetensors), float32 tensors only: an 8-byte little-endian header
 * length, a JSON header `{name: {dtype: "F32", shape, data_offsets: [begin, end]}, __metadata__: {k: string}}`
 * padded with spaces to a multiple of 8, then the raw little-endian data. Readable by `safetensors.torch.load_file`.
 */
export interface StoredTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

const isLittleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Writes the tensors atomically: to `path.tmp-<pid>` first, fsynced, then renamed over `path`, so a reader
 * (or a crash) never sees a half-written file.
 */
export function writeSafetensors(path: string, tensors: readonly StoredTensor[], metadata: Record<string, string> = {}): number {
  if (!isLittleEndian) throw new Error('safetensors writing needs a little-endian machine');
  const header: Record<string, HeaderEntry | Record<string, string>> = { __metadata__: metadata };
  let offset = 0;
  for (const tensor of tensors) {
    if (tensor.name === '__metadata__' || tensor.name in header) throw new Error(`duplicate tensor name "${tensor.name}"`);
    const expected = tensor.shape.reduce((a, b) => a * b, 1);
    if (expected !== tensor.data.length) {
      throw new Error(`tensor "${tensor.name}": shape [${tensor.shape.join(', ')}] does not hold ${tensor.data.length} values`);
    }
    const bytes = tensor.data.length * 4;
    header[tensor.name] = { dtype: 'F32', shape: [...tensor.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  const jsonBytes = Buffer.byteLength(json, 'utf8');
  json += ' '.repeat((8 - (jsonBytes % 8)) % 8);
  const headerBuffer = Buffer.from(json, 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(headerBuffer.length));

  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    writeAll(fd, prefix);
    writeAll(fd, headerBuffer);
    for (const tensor of tensors) {
      writeAll(fd, new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
    }
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(tmp, path);
  return 8 + headerBuffer.length + offset;
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let written = 0;
  while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
}

export interface SafetensorsFile {
  readonly metadata: Record<string, string>;
  readonly tensors: Map<string, StoredTensor>;
}

/** Reads every float32 tensor of a safetensors file. */
export function readSafetensors(path: string): SafetensorsFile {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const prefix = Buffer.alloc(8);
    readAll(fd, prefix, 0);
    const headerLength = Number(prefix.readBigUInt64LE(0));
    if (headerLength <= 0 || 8 + headerLength > size) throw new Error(`${path}: not a safetensors file (bad header length)`);
    const headerBuffer = Buffer.alloc(headerLength);
    readAll(fd, headerBuffer, 8);
    let header: Record<string, unknown>;
    try {
      header = JSON.parse(headerBuffer.toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new Error(`${path}: not a safetensors file (header is not JSON)`);
    }
    const dataStart = 8 + headerLength;
    const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
    const tensors = new Map<string, StoredTensor>();
    for (const [name, value] of Object.entries(header)) {
      if (name === '__metadata__') continue;
      const entry = value as HeaderEntry;
      if (entry.dtype !== 'F32') throw new Error(`${path}: tensor "${name}" has dtype ${entry.dtype}, only F32 is supported`);
      const [begin, end] = entry.data_offsets;
      if (dataStart + end > size || end < begin) throw new Error(`${path}: tensor "${name}" lies outside the file`);
      const bytes = Buffer.alloc(end - begin);
      readAll(fd, bytes, dataStart + begin);
      const data = new Float32Array(bytes.buffer, bytes.byteOffset, (end - begin) / 4).slice();
      tensors.set(name, { name, shape: entry.shape, data });
    }
    return { metadata, tensors };
  } finally {
    closeSync(fd);
  }
}

function readAll(fd: number, buffer: Buffer, position: number): void {
  let read = 0;
  while (read < buffer.length) {
    const n = readSync(fd, buffer, read, buffer.length - read, position + read);
    if (n === 0) throw new Error('unexpected end of file');
    read += n;
  }
}
