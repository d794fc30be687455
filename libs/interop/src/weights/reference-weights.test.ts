import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { Resnet18Backbone, selectBackend, type StoredTensor } from '@equilab/sie';
import { FROM_REFERENCE_CONV, RESNET18_MAPPING, TO_REFERENCE_CONV, fromReference, permute, toReference } from './reference-naming';
import { PTH_ALIGNMENT, encodePthStateDict, isTensorRef, readPth } from './pth.format';
import { unpickle } from './pickle.reader';
import { backboneTensors, loadReferenceWeights, readReferenceWeights, toReferenceStateDict, writeReferenceWeights } from './reference-weights';
import { TINY_WIDTH, backboneOutput, randomisedBackbone } from './weights.fixture';

const setup = selectBackend('cpu');

function withTmp<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(path.join(tmpdir(), 'interop-weights-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void test('names and shapes: the reference state_dict of a tiny backbone', async () => {
  await setup;
  const backbone = new Resnet18Backbone({ widthMultiplier: TINY_WIDTH });
  try {
    const reference = toReferenceStateDict(backboneTensors(backbone));
    const shapes = new Map(reference.map((t) => [t.name, t.shape.join('×')]));
    // 21 convs (stem, 16 in blocks, 4 projection shortcuts) and 21 batch norms with 4 tensors each.
    assert.equal(reference.length, 21 + 21 * 4);
    assert.equal(RESNET18_MAPPING.length, reference.length);
    assert.deepEqual(reference.slice(0, 6).map((t) => t.name), ['conv1.weight', 'bn1.weight', 'bn1.bias', 'bn1.running_mean', 'bn1.running_var', 'layer1.0.conv1.weight']);
    assert.equal(shapes.get('conv1.weight'), '4×3×7×7');
    assert.equal(shapes.get('bn1.running_var'), '4');
    assert.equal(shapes.get('layer1.0.conv1.weight'), '4×4×3×3');
    assert.equal(shapes.get('layer1.0.downsample.0.weight'), '4×4×1×1');
    assert.equal(shapes.get('layer2.0.conv1.weight'), '8×4×3×3');
    assert.equal(shapes.get('layer2.0.downsample.0.weight'), '8×4×1×1');
    assert.equal(shapes.get('layer2.0.downsample.1.running_mean'), '8');
    assert.equal(shapes.get('layer4.1.conv2.weight'), '32×32×3×3');
    assert.equal(shapes.has('layer1.1.downsample.0.weight'), false);
    assert.equal(shapes.has('fc.weight'), false);
  } finally {
    backbone.dispose();
  }
});

void test('transposition: Equilab [kh, kw, in, out] ↔ PyTorch [out, in, kh, kw], element by element and round trip', () => {
  const [kh, kw, cin, cout] = [3, 2, 4, 5];
  const data = Float32Array.from({ length: kh * kw * cin * cout }, (_, i) => i);
  const ours: StoredTensor = { name: 'layer3.0.conv1', shape: [kh, kw, cin, cout], data };
  const theirs = toReference(ours);
  assert.equal(theirs.name, 'layer3.0.conv1.weight');
  assert.deepEqual(theirs.shape, [cout, cin, kh, kw]);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) {
          assert.equal(theirs.data[((o * cin + i) * kh + y) * kw + x], data[((y * kw + x) * cin + i) * cout + o]);
        }
  assert.deepEqual(fromReference(theirs), ours);
  // The two permutations are inverse.
  const twice = permute(permute(data, [kh, kw, cin, cout], TO_REFERENCE_CONV).data, [cout, cin, kh, kw], FROM_REFERENCE_CONV);
  assert.deepEqual(twice.shape, [kh, kw, cin, cout]);
  assert.deepEqual(twice.data, data);
  assert.deepEqual(fromReference({ name: 'layer2.0.downsample.1.bias', shape: [8], data: new Float32Array(8) })?.name, 'layer2.0.shortcut.bn.beta');
  assert.equal(fromReference({ name: 'bn1.num_batches_tracked', shape: [], data: new Float32Array(1) }), undefined);
  assert.throws(() => fromReference({ name: 'fc.weight', shape: [2, 2], data: new Float32Array(4) }), /fc\.weight: not a tensor of the reference's ResNet-18 backbone/);
  assert.throws(() => toReference({ name: 'projector.0.weight', shape: [2], data: new Float32Array(2) }), /not a tensor of Equilab's ResNet-18 backbone/);
});

for (const format of ['pth-state-dict', 'safetensors-reference'] as const) {
  void test(`${format}: export then import into another backbone gives the same tensors and the same output`, async () => {
    await setup;
    const source = randomisedBackbone(1);
    const target = new Resnet18Backbone({ widthMultiplier: TINY_WIDTH, seed: 7 });
    try {
      await withTmp((dir) => {
        const file = path.join(dir, `w.${format}`);
        writeReferenceWeights(backboneTensors(source), format, file);
        const before = tf.memory().numTensors;
        const loaded = loadReferenceWeights(target, file);
        assert.equal(tf.memory().numTensors, before, 'no tensor leaks from loading');
        assert.equal(loaded.source, format === 'pth-state-dict' ? 'pth' : 'safetensors');
        assert.equal(loaded.prefix, '');
        const expected = new Map(backboneTensors(source).map((t) => [t.name, t]));
        for (const t of backboneTensors(target)) assert.deepEqual(t.data, expected.get(t.name)?.data, t.name);
        const input = Float32Array.from({ length: 2 * 32 * 32 * 3 }, (_, i) => Math.sin(i * 0.37));
        assert.deepEqual(backboneOutput(target, input, [2, 32, 32, 3]), backboneOutput(source, input, [2, 32, 32, 3]));
        return Promise.resolve();
      });
    } finally {
      source.dispose();
      target.dispose();
    }
  });
}

void test('pth: torch.save layout — archive/data.pkl, data/<key>, version; 64-byte aligned records; int64 counters', () => {
  const bytes = encodePthStateDict([
    { name: 'bn1.running_mean', dtype: 'float32', shape: [3], data: new Float32Array([1, 2, 3]) },
    { name: 'bn1.num_batches_tracked', dtype: 'int64', shape: [], data: new BigInt64Array([5n]) },
    { name: 'conv1.weight', dtype: 'float32', shape: [2, 1, 1, 2], data: new Float32Array([1, 2, 3, 4]) },
  ]);
  // Walk the zip's local headers: names in order, data offsets aligned.
  const view = Buffer.from(bytes);
  const names: string[] = [];
  for (let offset = 0; view.readUInt32LE(offset) === 0x04034b50; ) {
    const size = view.readUInt32LE(offset + 18);
    const nameLength = view.readUInt16LE(offset + 26);
    const extraLength = view.readUInt16LE(offset + 28);
    const name = view.subarray(offset + 30, offset + 30 + nameLength).toString();
    const dataStart = offset + 30 + nameLength + extraLength;
    assert.equal(dataStart % PTH_ALIGNMENT, 0, `${name} is aligned`);
    assert.equal(view.readUInt16LE(offset + 8), 0, `${name} is stored, not compressed`);
    names.push(name);
    offset = dataStart + size;
  }
  assert.deepEqual(names, ['archive/data.pkl', 'archive/byteorder', 'archive/data/0', 'archive/data/1', 'archive/data/2', 'archive/version']);
  const pth = readPth(bytes, 'mem.pth');
  assert.ok(pth.root instanceof Map);
  const got = [...pth.root].map(([k, v]) => {
    assert.ok(isTensorRef(v));
    const t = pth.tensor(v);
    return [k, t.dtype, t.shape.join('×'), [...t.data].map(String).join(',')];
  });
  assert.deepEqual(got, [
    ['bn1.running_mean', 'float32', '3', '1,2,3'],
    ['bn1.num_batches_tracked', 'int64', '', '5'],
    ['conv1.weight', 'float32', '2×1×1×2', '1,2,3,4'],
  ]);
});

void test('the restricted unpickler refuses any other global or opcode, so a foreign file cannot run code', () => {
  // cos\nsystem\n(X...tR. — the classic "pickle runs a shell command" payload.
  const payload = Buffer.concat([Buffer.from('\x80\x02cos\nsystem\n(X\x05\x00\x00\x00touch', 'latin1'), Buffer.from('tR.')]);
  assert.throws(() => unpickle(payload), /pickle byte 2: global os\.system is not allowed/);
  assert.throws(() => unpickle(Buffer.from('\x80\x02cbuiltins\neval\n.', 'latin1')), /global builtins\.eval is not allowed/);
  // INST (i) builds arbitrary objects: not a state-dict opcode.
  assert.throws(() => unpickle(Buffer.from('\x80\x02(ios\nsystem\n.', 'latin1')), /opcode 0x69 is not allowed/);
  // REDUCE of an allowed storage type is not a call the unpickler makes.
  assert.throws(() => unpickle(Buffer.from('\x80\x02ctorch\nFloatStorage\n)R.', 'latin1')), /torch\.FloatStorage cannot be called/);
  assert.throws(() => unpickle(Buffer.from('\x80\x02}X\x03\x00\x00', 'latin1')), /unexpected end of data/);
});

void test('reading reference weights: checkpoint prefixes, missing tensors and foreign files are named', () => {
  withTmp((dir) => {
    const backbone = randomisedBackbone(2);
    try {
      const reference = toReferenceStateDict(backboneTensors(backbone));
      // A reference training checkpoint stores {epoch, model: {module.backbone.*, module.projector.*}, optimizer}:
      // here the state dict with DDP prefixes and a projector tensor beside the backbone.
      const prefixed = encodePthStateDict([
        ...reference.map((t) => ({ name: `module.backbone.${t.name}`, dtype: 'float32' as const, shape: t.shape, data: t.data })),
        { name: 'module.projector.0.weight', dtype: 'float32', shape: [2, 2], data: new Float32Array(4) },
      ]);
      writeFileSync(path.join(dir, 'model.pth'), prefixed);
      const read = readReferenceWeights(path.join(dir, 'model.pth'));
      assert.equal(read.prefix, 'module.backbone.');
      assert.equal(read.tensors.length, RESNET18_MAPPING.length);

      writeFileSync(path.join(dir, 'partial.pth'), encodePthStateDict(reference.slice(0, 10).map((t) => ({ ...t, dtype: 'float32' as const }))));
      assert.throws(() => readReferenceWeights(path.join(dir, 'partial.pth')), /partial\.pth: missing 95 backbone tensors \(layer1\.0\.conv2\.weight/);

      writeFileSync(path.join(dir, 'head.pth'), encodePthStateDict([...reference, { name: 'fc.weight', shape: [2, 32], data: new Float32Array(64) }].map((t) => ({ ...t, dtype: 'float32' as const }))));
      assert.throws(() => readReferenceWeights(path.join(dir, 'head.pth')), /head\.pth: fc\.weight: not a tensor of the reference's ResNet-18 backbone/);

      writeFileSync(path.join(dir, 'notes.txt'), 'hello');
      assert.throws(() => readReferenceWeights(path.join(dir, 'notes.txt')), /notes\.txt: neither a zip-based \.pth nor a safetensors file/);
      writeFileSync(path.join(dir, 'old.pth'), Buffer.from('PK\x03\x04garbage', 'latin1'));
      assert.throws(() => readReferenceWeights(path.join(dir, 'old.pth')), /old\.pth: not a readable zip file/);

      const wide = new Resnet18Backbone({ widthMultiplier: 0.125 });
      try {
        writeReferenceWeights(backboneTensors(backbone), 'pth-state-dict', path.join(dir, 'tiny.pth'));
        assert.throws(() => loadReferenceWeights(wide, path.join(dir, 'tiny.pth')), /tiny\.pth: stem\.conv: shape \[7, 7, 3, 4\] does not match \[7, 7, 3, 8\]/);
      } finally {
        wide.dispose();
      }
      assert.ok(readFileSync(path.join(dir, 'tiny.pth')).length > 0);
    } finally {
      backbone.dispose();
    }
  });
});
