import assert from 'node:assert/strict';

export type Nested = number | Nested[];

export function shapeOf(a: Nested): number[] {
  const shape: number[] = [];
  let cur: Nested = a;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0] as Nested;
  }
  return shape;
}

export function flatten(a: Nested, out: number[] = []): number[] {
  if (Array.isArray(a)) for (const e of a) flatten(e, out);
  else out.push(a);
  return out;
}

/** |actual − expected| ≤ abs + rel·|expected|. */
export function assertScalarClose(
  actual: number,
  expected: number,
  what: string,
  rel = 1e-4,
  abs = 1e-6,
): void {
  const diff = Math.abs(actual - expected);
  assert.ok(
    Number.isFinite(actual) && diff <= abs + rel * Math.abs(expected),
    `${what}: got ${actual}, want ${expected} (|diff| ${diff.toExponential(3)} > ${abs} + ${rel}·|want|)`,
  );
}

/** max |actual − expected| ≤ rel × max |expected|. */
export function assertArrayClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  what: string,
  rel = 1e-3,
): void {
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} values, want ${expected.length}`);
  let scale = 0;
  let worst = 0;
  let at = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i] as number));
    const d = Math.abs((actual[i] as number) - (expected[i] as number));
    if (!(d <= worst)) {
      worst = d;
      at = i;
    }
  }
  assert.ok(
    worst <= rel * scale,
    `${what}: max |diff| ${worst.toExponential(3)} at ${at} (got ${actual[at]}, want ${expected[at]}) > ${rel} × ${scale.toExponential(3)}`,
  );
}
