import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as protobuf from 'protobufjs';
import type { MetricPoint } from '@equilab/contracts';
import { DT_DOUBLE, DT_FLOAT, FILE_VERSION, decodeEvent, encodeEvent } from './event.schema';
import { readEventFile, type ScalarPoint } from './event-file.reader';
import { encodeEventFile, writeEventFile } from './event-file.writer';
import { findEventLogDirs } from './log-dir.scan';
import { readEventRun } from './event-run.reader';
import { metricPointsToScalars, scalarsToMetricPoints } from './metric-points';
import { RECORD_FOOTER_BYTES, RECORD_HEADER_BYTES, frameTfRecord, maskedCrc32c, readTfRecords } from './tfrecord.format';

const points: ScalarPoint[] = [
  { tag: 'Loss/Total loss', step: 0, value: 74.25, wallTime: 1_700_000_000.125 },
  { tag: 'Loss/Invariance loss', step: 0, value: 0.5, wallTime: 1_700_000_000.125 },
  { tag: 'Loss/Total loss', step: 41, value: Math.fround(12.3456), wallTime: 1_700_000_030.5 },
  { tag: 'Online eval reprs/R2 representations-equi', step: 41, value: Math.fround(-0.077), wallTime: 1_700_000_030.5 },
  { tag: 'Loss/Total loss', step: 82, value: Math.fround(3.14159), wallTime: 1_700_000_061 },
];

function sortPoints(list: readonly ScalarPoint[]): ScalarPoint[] {
  return [...list].sort((a, b) => a.step - b.step || (a.tag < b.tag ? -1 : 1));
}

/** Byte offsets of the records of an encoded file (header + data + footer each). */
function recordOffsets(bytes: Uint8Array): number[] {
  return [...readTfRecords(bytes, 'x')].map((r) => r.offset);
}

void test('masked CRC-32C matches TensorFlow for known inputs', () => {
  // crc32c("123456789") = 0xe3069283 (the CRC-32C check value); masked = ror15 + 0xa282ead8.
  const crc = 0xe3069283;
  const masked = (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
  assert.equal(maskedCrc32c(Buffer.from('123456789')), masked);
  // The length header of an empty record, as TensorFlow frames it.
  const frame = frameTfRecord(new Uint8Array());
  assert.equal(frame.length, RECORD_HEADER_BYTES + RECORD_FOOTER_BYTES);
  assert.equal(frame.readUInt32LE(8), maskedCrc32c(new Uint8Array(8)));
});

for (const form of ['simple', 'tensor'] as const) {
  void test(`round trip (${form} form): export then import gives the same points, file_version first`, () => {
    const bytes = encodeEventFile(points, { form });
    const first = decodeEvent([...readTfRecords(bytes, 'x')][0]!.data);
    assert.equal(first.file_version, FILE_VERSION);
    const content = readEventFile('mem.tfevents', bytes);
    assert.equal(content.error, null);
    assert.equal(content.fileVersion, FILE_VERSION);
    assert.deepEqual(content.skipped, []);
    assert.deepEqual(sortPoints(content.points), sortPoints(points));
    // One event per (step, wall time) plus the file_version event.
    assert.equal(content.records, 1 + 3);
  });
}

void test('round trip from Equilab metric points: keys, steps, values (float32) and wall times (ms) are kept', () => {
  const metrics: MetricPoint[] = [
    { key: 'Loss/Total loss', step: 0, value: 70.1, time: 1_700_000_000_123 },
    { key: 'Loss/Total loss', step: 10, value: 1e-7, time: 1_700_000_009_999 },
    { key: 'General/lr', step: 10, value: 0.001, time: 1_700_000_009_999 },
  ];
  const dir = mkdtempSync(path.join(tmpdir(), 'interop-tb-'));
  try {
    const file = writeEventFile(path.join(dir, 'run-a'), metricPointsToScalars(metrics));
    assert.match(path.basename(file), /^events\.out\.tfevents\.1700000000\./);
    const [logDir] = findEventLogDirs(dir);
    assert.equal(logDir?.name, 'run-a');
    const run = readEventRun(logDir);
    const back = scalarsToMetricPoints(run.points);
    assert.deepEqual(back.dropped, []);
    const expected = metrics.map((m) => ({ ...m, value: Math.fround(m.value) }));
    const key = (m: MetricPoint) => `${m.key}@${m.step}`;
    assert.deepEqual(
      [...back.points].sort((a, b) => key(a).localeCompare(key(b))),
      expected.sort((a, b) => key(a).localeCompare(key(b))),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('export refuses points TensorBoard cannot hold, naming the field', () => {
  assert.throws(() => encodeEventFile([{ tag: 'a', step: -1, value: 1, wallTime: 0 }]), /step: must be a non-negative integer, got -1 \(tag "a"\)/);
  assert.throws(() => encodeEventFile([{ tag: 'a', step: 1, value: 1, wallTime: Number.NaN }]), /wallTime: must be finite/);
});

void test('points Equilab cannot store are reported per tag and reason, not dropped silently', () => {
  const conversion = scalarsToMetricPoints([
    { tag: 'ok', step: 1, value: 1, wallTime: 1 },
    { tag: 'nan', step: 1, value: Number.NaN, wallTime: 1 },
    { tag: 'nan', step: 2, value: Number.NaN, wallTime: 1 },
    { tag: '', step: 1, value: 1, wallTime: 1 },
    { tag: 'x'.repeat(201), step: 1, value: 1, wallTime: 1 },
    { tag: 'neg', step: -3, value: 1, wallTime: 1 },
    { tag: 'big', step: 2 ** 31, value: 1, wallTime: 1 },
  ]);
  assert.deepEqual(conversion.points, [{ key: 'ok', step: 1, value: 1, time: 1000 }]);
  assert.deepEqual(
    conversion.dropped.map((d) => `${d.tag.slice(0, 3)}|${d.reason}|${d.count}`),
    ['nan|value is NaN|2', '|empty tag|1', 'xxx|tag longer than 200 characters|1', 'neg|negative or non-integer step|1', 'big|step beyond 2147483647|1'],
  );
});

// ---------------------------------------------------------------------------------------------------------
// Malformed files: each case names the file and the offset of the bad record; the records before it are kept.

const good = encodeEventFile(points);
const offsets = recordOffsets(good);
const third = offsets[2] as number;

function corrupt(mutate: (b: Buffer) => Buffer): ReturnType<typeof readEventFile> {
  return readEventFile('/logs/run/events.out.tfevents.1', mutate(Buffer.from(good)));
}

function assertKeptBefore(content: ReturnType<typeof readEventFile>, offset: number, reason: RegExp): void {
  assert.ok(content.error, 'an error is reported');
  assert.equal(content.error.offset, offset);
  assert.equal(content.error.file, '/logs/run/events.out.tfevents.1');
  assert.match(content.error.message, new RegExp(`^/logs/run/events\\.out\\.tfevents\\.1: record at byte offset ${offset}: `));
  assert.match(content.error.reason, reason);
  // Records 0 (file_version) and 1 (step 0: two scalars) were read.
  assert.equal(content.records, 2);
  assert.deepEqual(content.points.map((p) => `${p.tag}@${p.step}`).sort(), ['Loss/Invariance loss@0', 'Loss/Total loss@0']);
}

void test('bad length CRC', () => {
  assertKeptBefore(corrupt((b) => ((b[third + 8] = (b[third + 8] as number) ^ 0xff), b)), third, /length CRC mismatch/);
});

void test('a corrupted length is caught by the length CRC', () => {
  assertKeptBefore(corrupt((b) => ((b[third] = (b[third] as number) + 1), b)), third, /length CRC mismatch/);
});

void test('bad data CRC', () => {
  assertKeptBefore(corrupt((b) => ((b[third + RECORD_HEADER_BYTES + 2] = (b[third + RECORD_HEADER_BYTES + 2] as number) ^ 0x01), b)), third, /data CRC mismatch/);
});

void test('truncated record header', () => {
  assertKeptBefore(corrupt((b) => b.subarray(0, third + 5)), third, /truncated record header \(5 of 12 bytes\)/);
});

void test('truncated record body', () => {
  assertKeptBefore(corrupt((b) => b.subarray(0, third + RECORD_HEADER_BYTES + 3)), third, /truncated record body: the header announces \d+ bytes, 0 remain/);
});

void test('a record whose data is not an Event protobuf', () => {
  const notProtobuf = frameTfRecord(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]));
  const bytes = Buffer.concat([good.subarray(0, third), notProtobuf, good.subarray(third)]);
  const content = readEventFile('/logs/run/events.out.tfevents.1', bytes);
  assertKeptBefore(content, third, /^not an Event protobuf \(/);
});

void test('an empty file', () => {
  const content = readEventFile('/logs/run/events.out.tfevents.1', new Uint8Array());
  assert.equal(content.error?.offset, 0);
  assert.match(content.error?.message ?? '', /events\.out\.tfevents\.1: record at byte offset 0: empty file/);
  assert.deepEqual(content.points, []);
});

void test('a file that is not a TFRecord file at all', () => {
  const content = readEventFile('/logs/notes.txt', Buffer.from('step,value\n0,1.5\n1,1.2\n'));
  assert.equal(content.error?.offset, 0);
  assert.match(content.error?.reason ?? '', /length CRC mismatch .*not a TFRecord\/event file/);
});

void test('a corrupt file in a directory: the other files and the good records are still read', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'interop-tb-'));
  try {
    writeFileSync(path.join(dir, 'events.out.tfevents.1.host.1.0'), Buffer.from(good).subarray(0, third + 5));
    writeFileSync(path.join(dir, 'events.out.tfevents.2.host.1.0'), encodeEventFile([{ tag: 'later', step: 200, value: 1, wallTime: 1_700_000_100 }]));
    const run = readEventRun(findEventLogDirs(dir)[0]!);
    assert.equal(run.errors.length, 1);
    assert.equal(run.errors[0]?.offset, third);
    assert.deepEqual(run.points.map((p) => p.tag).sort(), ['Loss/Invariance loss', 'Loss/Total loss', 'later']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------------------------------------------------
// Value kinds.

/** A Summary.Value with a tag and a field of `oneof value` this reader does not declare (field 15). */
function unknownKindValue(tag: string): Uint8Array {
  return protobuf.Writer.create().uint32((1 << 3) | 2).string(tag).uint32((15 << 3) | 2).bytes(Buffer.from([1, 2])).finish();
}

function eventWithRawValue(step: number, rawValue: Uint8Array): Uint8Array {
  const summary = protobuf.Writer.create().uint32((1 << 3) | 2).bytes(rawValue).finish();
  return protobuf.Writer.create().uint32((1 << 3) | 1).double(5).uint32(2 << 3).int64(step).uint32((5 << 3) | 2).bytes(summary).finish();
}

void test('non-scalar values are skipped and counted per tag and kind; scalars beside them are read', () => {
  const f32 = Buffer.alloc(4);
  f32.writeFloatLE(0.25);
  const f64 = Buffer.alloc(8);
  f64.writeDoubleLE(0.1);
  const scalars = { plugin_data: { plugin_name: 'scalars' } };
  const records = [
    encodeEvent({ wall_time: 1, file_version: FILE_VERSION }),
    encodeEvent({
      wall_time: 2,
      step: 1,
      summary: {
        value: [
          { tag: 'img', image: Buffer.from([8, 1]) },
          { tag: 'hist', histo: Buffer.from([9, 0, 0, 0, 0, 0, 0, 0, 0]) },
          { tag: 'snd', audio: Buffer.from([]) },
          { tag: 'txt', metadata: { plugin_data: { plugin_name: 'text' } }, tensor: { dtype: 7 } },
          { tag: 'f32', metadata: scalars, tensor: { dtype: DT_FLOAT, tensor_content: f32 } },
          { tag: 'f64', metadata: { data_class: 1 }, tensor: { dtype: DT_DOUBLE, tensor_content: f64 } },
          { tag: 'd', metadata: scalars, tensor: { dtype: DT_DOUBLE, double_val: [2.5] } },
          { tag: 'vec', metadata: scalars, tensor: { dtype: DT_FLOAT, tensor_shape: { dim: [{ size: 2 }] }, float_val: [1, 2] } },
          { tag: 'int', metadata: scalars, tensor: { dtype: 3 } },
          { tag: 'bare', tensor: { dtype: DT_FLOAT, float_val: [1] } },
          { tag: 's', simple_value: 1.5 },
        ],
      },
    }),
    // Later values of a scalars series carry no metadata: still scalars.
    encodeEvent({ wall_time: 3, step: 2, summary: { value: [{ tag: 'f32', tensor: { dtype: DT_FLOAT, float_val: [0.75] } }] } }),
    eventWithRawValue(3, unknownKindValue('future')),
  ];
  const content = readEventFile('kinds', Buffer.concat(records.map((r) => frameTfRecord(r))));
  assert.equal(content.error, null);
  assert.deepEqual(
    content.points.map((p) => `${p.tag}@${p.step}=${p.value}`),
    ['f32@1=0.25', 'f64@1=0.1', 'd@1=2.5', 's@1=1.5', 'f32@2=0.75'],
  );
  assert.deepEqual(
    content.skipped.map((s) => `${s.tag}: ${s.kind} ×${s.count}`),
    [
      'img: image ×1',
      'hist: histogram ×1',
      'snd: audio ×1',
      'txt: tensor of plugin "text" ×1',
      'vec: scalars-plugin tensor of shape [2] ×1',
      'int: scalars-plugin tensor of dtype 3 (only DT_FLOAT and DT_DOUBLE scalars are read) ×1',
      'bare: tensor without scalars-plugin metadata ×1',
      'future: unknown value kind ×1',
    ],
  );
});

void test('the log-directory scan finds one run per directory holding event files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'interop-tb-'));
  try {
    writeEventFile(path.join(dir, 'SIE_seed1'), points);
    writeEventFile(path.join(dir, 'VICReg', 'seed2'), points);
    writeFileSync(path.join(dir, 'README.txt'), 'not an event file');
    const runs = findEventLogDirs(dir);
    assert.deepEqual(runs.map((r) => r.name), ['SIE_seed1', 'VICReg/seed2']);
    assert.equal(readdirSync(path.join(dir, 'SIE_seed1')).length, 1);
    assert.ok(readFileSync(runs[0]!.files[0]!).length > 0);
    assert.throws(() => findEventLogDirs(dir, { maxFiles: 1 }), /more than 1 event files/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
