import { crc32c } from '@aws-crypto/crc32c';

/**
 * TFRecord framing (tensorflow/core/lib/io/record_writer.cc), what TensorBoard event files are made of:
 *   uint64 length (little-endian) · uint32 masked CRC-32C of those 8 bytes · data[length] · uint32 masked CRC-32C
 *   of the data. Masking: rotate the CRC right by 15 bits and add 0xa282ead8 (mod 2³²).
 */
const MASK_DELTA = 0xa282ead8;
export const RECORD_HEADER_BYTES = 12;
export const RECORD_FOOTER_BYTES = 4;

export function maskedCrc32c(data: Uint8Array): number {
  const crc = crc32c(data) >>> 0;
  return (((crc >>> 15) | (crc << 17)) + MASK_DELTA) >>> 0;
}

/** A record that cannot be read: names the file and the byte offset where the record starts. */
export class TfRecordError extends Error {
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`${file}: record at byte offset ${offset}: ${reason}`);
    this.name = 'TfRecordError';
  }
}

export interface TfRecord {
  /** Byte offset of the record's header in the file. */
  readonly offset: number;
  readonly data: Uint8Array;
}

/**
 * The records of a TFRecord file, in order. Stops with a TfRecordError at the first record that is truncated or
 * fails a CRC check (the records before it have been yielded).
 */
export function* readTfRecords(bytes: Uint8Array, file: string): Generator<TfRecord> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  while (offset < bytes.length) {
    const remaining = bytes.length - offset;
    if (remaining < RECORD_HEADER_BYTES) {
      throw new TfRecordError(file, offset, `truncated record header (${remaining} of ${RECORD_HEADER_BYTES} bytes)`);
    }
    const lengthBytes = bytes.subarray(offset, offset + 8);
    if (view.getUint32(offset + 8, true) !== maskedCrc32c(lengthBytes)) {
      throw new TfRecordError(file, offset, 'length CRC mismatch (corrupt record header, or not a TFRecord/event file)');
    }
    const length = view.getBigUint64(offset, true);
    const available = remaining - RECORD_HEADER_BYTES - RECORD_FOOTER_BYTES;
    if (length > BigInt(Math.max(available, 0))) {
      throw new TfRecordError(file, offset, `truncated record body: the header announces ${length} bytes, ${Math.max(available, 0)} remain before the data CRC`);
    }
    const n = Number(length);
    const start = offset + RECORD_HEADER_BYTES;
    const data = bytes.subarray(start, start + n);
    if (view.getUint32(start + n, true) !== maskedCrc32c(data)) {
      throw new TfRecordError(file, offset, 'data CRC mismatch (corrupt record data)');
    }
    yield { offset, data };
    offset = start + n + RECORD_FOOTER_BYTES;
  }
}

/** One framed record. */
export function frameTfRecord(data: Uint8Array): Buffer {
  const out = Buffer.alloc(RECORD_HEADER_BYTES + data.length + RECORD_FOOTER_BYTES);
  out.writeBigUInt64LE(BigInt(data.length), 0);
  out.writeUInt32LE(maskedCrc32c(out.subarray(0, 8)), 8);
  out.set(data, RECORD_HEADER_BYTES);
  out.writeUInt32LE(maskedCrc32c(data), RECORD_HEADER_BYTES + data.length);
  return out;
}
