import assert from 'node:assert/strict';
import { relativeQuaternion } from '@equilab/data';

export interface RelativeRotationCase {
  name: 'relative_rotation';
  cases: { euler_1: number[]; euler_2: number[]; relative_quat_xyzw: number[] }[];
}

/** `relativeQuaternion` of @equilab/data = conj(q1) ⊗ q2 in (x, y, z, w), sign included, to 1e-5. */
export function checkRelativeRotationCase(c: RelativeRotationCase): void {
  assert.ok(Array.isArray(c.cases) && c.cases.length > 0, 'relative_rotation needs cases');
  c.cases.forEach((k, i) => {
    const got = Array.from(relativeQuaternion(k.euler_1, k.euler_2));
    assert.equal(got.length, 4, `case ${i}: 4 components`);
    got.forEach((v, j) =>
      assert.ok(
        Math.abs(v - (k.relative_quat_xyzw[j] as number)) <= 1e-5,
        `case ${i} (${k.euler_1.join(', ')} → ${k.euler_2.join(', ')}): got [${got.join(', ')}], want [${k.relative_quat_xyzw.join(', ')}]`,
      ),
    );
  });
}
