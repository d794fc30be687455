/**
 * Rotations of 3DIEBench latents (spec §1.3). Quaternions are (x, y, z, w), Hamilton product.
 * Euler angles are extrinsic x→y→z (scipy "xyz"): R = Rz(c)·Ry(b)·Rx(a), i.e. q = qz ⊗ qy ⊗ qx.
 */
export type Quaternion = [number, number, number, number];
export type EulerXyz = readonly [number, number, number] | ArrayLike<number>;

export function quaternionMultiply(a: Quaternion, b: Quaternion): Quaternion {
  const [ax, ay, az, aw] = a;
  const [bx, by, bz, bw] = b;
  return [
    aw * bx + ax * bw + ay * bz - az * by,
    aw * by - ax * bz + ay * bw + az * bx,
    aw * bz + ax * by - ay * bx + az * bw,
    aw * bw - ax * bx - ay * by - az * bz,
  ];
}

export function quaternionConjugate([x, y, z, w]: Quaternion): Quaternion {
  return [-x, -y, -z, w];
}

/** Quaternion of the extrinsic xyz Euler rotation (angles in radians, used as given). */
export function eulerXyzToQuaternion(euler: EulerXyz): Quaternion {
  const a = Number(euler[0]) / 2;
  const b = Number(euler[1]) / 2;
  const c = Number(euler[2]) / 2;
  const qx: Quaternion = [Math.sin(a), 0, 0, Math.cos(a)];
  const qy: Quaternion = [0, Math.sin(b), 0, Math.cos(b)];
  const qz: Quaternion = [0, 0, Math.sin(c), Math.cos(c)];
  return quaternionMultiply(quaternionMultiply(qz, qy), qx);
}

/**
 * Relative rotation inv(R1)·R2 of two poses given as extrinsic xyz Euler angles, as the quaternion
 * conj(q1) ⊗ q2 in (x, y, z, w) order, without sign canonicalisation. The angles are first rounded to float32,
 * as the reference casts the latents before building the rotations.
 */
export function relativeQuaternion(euler1: EulerXyz, euler2: EulerXyz): Quaternion {
  const f32 = (e: EulerXyz): [number, number, number] => [Math.fround(Number(e[0])), Math.fround(Number(e[1])), Math.fround(Number(e[2]))];
  return quaternionMultiply(quaternionConjugate(eulerXyzToQuaternion(f32(euler1))), eulerXyzToQuaternion(f32(euler2)));
}

/** Row-major 3×3 rotation matrix of a unit quaternion (x, y, z, w). */
export function quaternionToMatrix([x, y, z, w]: Quaternion): number[] {
  return [
    1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
    2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
    2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y),
  ];
}

/** Row-major matrix Rz(c)·Ry(b)·Rx(a) of extrinsic xyz Euler angles. */
export function eulerXyzToMatrix(euler: EulerXyz): number[] {
  return quaternionToMatrix(eulerXyzToQuaternion(euler));
}
