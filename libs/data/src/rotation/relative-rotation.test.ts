import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { eulerXyzToMatrix, quaternionToMatrix, relativeQuaternion } from './relative-rotation';
import { transformationLatent } from './transformation-latent';
import { goldenDir } from '../testing/shared-paths';

interface RotationCase {
  euler_1: number[];
  euler_2: number[];
  relative_quat_xyzw: number[];
}

void test('relativeQuaternion matches the golden cases to 1e-5, sign included', () => {
  const golden = JSON.parse(readFileSync(path.join(goldenDir(), 'relative_rotation.json'), 'utf8')) as { cases: RotationCase[] };
  assert.ok(golden.cases.length > 0);
  for (const c of golden.cases) {
    const q = relativeQuaternion(c.euler_1, c.euler_2);
    q.forEach((v, i) => assert.ok(Math.abs(v - (c.relative_quat_xyzw[i] as number)) < 1e-5, `${JSON.stringify(c)} → ${q.join()}`));
  }
});

function matMul(a: number[], b: number[]): number[] {
  const out = new Array<number>(9).fill(0);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) out[r * 3 + c]! += a[r * 3 + k]! * b[k * 3 + c]!;
  return out;
}

void test('relative rotation satisfies R2 = R1 · R_rel, and Euler xyz is extrinsic (Rz·Ry·Rx)', () => {
  const e1 = [0.3, -1.1, 0.7];
  const e2 = [-0.9, 0.4, 1.5];
  const rRel = quaternionToMatrix(relativeQuaternion(e1, e2));
  const r1 = eulerXyzToMatrix(e1.map(Math.fround));
  const r2 = eulerXyzToMatrix(e2.map(Math.fround));
  matMul(r1, rRel).forEach((v, i) => assert.ok(Math.abs(v - r2[i]!) < 1e-9));
  // Rx(a) alone about the x axis, then Rz: extrinsic order means the z rotation is applied last.
  const rx = eulerXyzToMatrix([Math.PI / 2, 0, 0]);
  const rz = eulerXyzToMatrix([0, 0, Math.PI / 2]);
  matMul(rz, rx).forEach((v, i) => assert.ok(Math.abs(v - eulerXyzToMatrix([Math.PI / 2, 0, Math.PI / 2])[i]!) < 1e-12));
});

void test('transformation latents: quat (4), rotcolor (6), all (8) by plain subtraction', () => {
  const l1 = [0.1, 0.2, 0.3, 0.9, 0.5, 6.0, 0.05];
  const l2 = [0.4, -0.2, 1.0, 0.1, 0.25, 1.0, 0.95];
  const q = relativeQuaternion(l1.slice(0, 3), l2.slice(0, 3));
  assert.deepEqual(transformationLatent('quat', l1, l2), q);
  const rc = transformationLatent('rotcolor', l1, l2);
  assert.equal(rc.length, 6);
  assert.deepEqual(rc.slice(0, 4), q);
  assert.ok(Math.abs(rc[4]! - -0.8) < 1e-6);
  assert.ok(Math.abs(rc[5]! - 0.9) < 1e-6);
  const all = transformationLatent('all', l1, l2);
  assert.equal(all.length, 8);
  [-0.8, -0.25, -5.0, 0.9].forEach((d, i) => assert.ok(Math.abs(all[4 + i]! - d) < 1e-6));
  const same = transformationLatent('rotcolor', l1, l1);
  assert.deepEqual(same.map((v) => Math.abs(Math.round(v * 1e9) / 1e9)), [0, 0, 0, 1, 0, 0]);
});
