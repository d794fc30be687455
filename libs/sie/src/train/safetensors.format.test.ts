import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readSafetensors, writeSafetensors } from './safetensors.format';

void test('safetensors round-trip keeps names, shapes, values and metadata; the header follows the format', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'st-'));
  const file = path.join(dir, 'a.safetensors');
  const a = new Float32Array([1, 2, 3, 4, 5, 6]);
  const b = new Float32Array([-0.5]);
  writeSafetensors(file, [
    { name: 'layer.weight', shape: [2, 3], data: a },
    { name: 'layer.bias', shape: [1], data: b },
  ], { note: 'hello' });
  const back = readSafetensors(file);
  assert.equal(back.metadata.note, 'hello');
  assert.deepEqual(back.tensors.get('layer.weight')?.shape, [2, 3]);
  assert.deepEqual(Array.from(back.tensors.get('layer.weight')?.data ?? []), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(Array.from(back.tensors.get('layer.bias')?.data ?? []), [-0.5]);
  const raw = readFileSync(file);
  const headerLength = Number(raw.readBigUInt64LE(0));
  assert.equal(headerLength % 8, 0);
  const header = JSON.parse(raw.subarray(8, 8 + headerLength).toString()) as Record<string, { data_offsets: number[]; dtype: string }>;
  assert.deepEqual(header['layer.bias']?.data_offsets, [24, 28]);
  assert.equal(header['layer.weight']?.dtype, 'F32');
  assert.equal(raw.length, 8 + headerLength + 28);
  // No temporary file is left behind.
  assert.deepEqual(readdirSync(dir), ['a.safetensors']);
});

void test('mismatched shapes and foreign files are rejected with a clear message', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'st-'));
  assert.throws(() => writeSafetensors(path.join(dir, 'x'), [{ name: 'w', shape: [2, 2], data: new Float32Array(3) }]), /"w": shape \[2, 2\]/);
  const junk = path.join(dir, 'junk');
  writeFileSync(junk, 'hello world, not a tensor file');
  assert.throws(() => readSafetensors(junk), /not a safetensors file/);
});
