import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SceneRenderer } from './scene.renderer';
import { objectMesh } from './dataset.plan';
import { SHAPE_FAMILIES } from './shape-families';
import { eulerXyzToMatrix } from '../rotation/relative-rotation';

const SIZE = 48;
const renderer = new SceneRenderer(SIZE);
const base = [0.3, -0.4, 0.9, 0.0, 0.3, 1.0, 0.5];

function meanAbsDiff(a: Buffer, b: Buffer): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
}

function pixel(img: Buffer, x: number, y: number): [number, number, number] {
  const o = 3 * (y * SIZE + x);
  return [img[o]!, img[o + 1]!, img[o + 2]!];
}

/** Euler xyz angles of the rotation R·S, S = 180° about a local axis (a symmetry would make both look alike). */
function composeHalfTurn(euler: number[], axis: 0 | 1 | 2): number[] {
  const r = eulerXyzToMatrix(euler);
  const s = [1, 0, 0, 0, 1, 0, 0, 0, 1].map((v, i) => (Math.floor(i / 3) === i % 3 ? (Math.floor(i / 3) === axis ? 1 : -1) : 0));
  const m = Array.from({ length: 9 }, (_, i) => [0, 1, 2].reduce((acc, k) => acc + r[Math.floor(i / 3) * 3 + k]! * s[k * 3 + (i % 3)]!, 0));
  // extrinsic xyz from R = Rz·Ry·Rx: b = −asin(m20), a = atan2(m21, m22), c = atan2(m10, m00)
  return [Math.atan2(m[7]!, m[8]!), -Math.asin(Math.max(-1, Math.min(1, m[6]!))), Math.atan2(m[3]!, m[0]!)];
}

void test('the image follows the latents: rotation, floor hue and light change the render; same latents → same bytes', () => {
  const { mesh } = objectMesh(0, 1, 0);
  const img = renderer.render(mesh, base);
  assert.equal(img.length, SIZE * SIZE * 3);
  assert.ok(renderer.render(mesh, base).equals(img), 'deterministic');
  assert.ok(meanAbsDiff(img, renderer.render(mesh, [1.2, 0.5, -1.0, ...base.slice(3)])) > 1, 'rotation changes the image');
  assert.ok(meanAbsDiff(img, renderer.render(mesh, [...base.slice(0, 6), 0.0])) > 0.5, 'light hue changes the image');
  // floor colour HSV(h, 0.6, 0.6): red-dominant corner for h = 0, green for 1/3, blue for 2/3 (spot light far away)
  const far = (h: number) => [0, 0, 0, h, Math.PI / 4, Math.PI / 2, 0.5];
  const top = (h: number) => pixel(renderer.render(mesh, far(h)), 2, 2);
  const [r0, g0, b0] = top(0);
  assert.ok(r0 > g0 + 20 && r0 > b0 + 20, `red floor ${[r0, g0, b0].join()}`);
  const [r1, g1, b1] = top(1 / 3);
  assert.ok(g1 > r1 + 20 && g1 > b1 + 20, `green floor ${[r1, g1, b1].join()}`);
  const [r2, g2, b2] = top(2 / 3);
  assert.ok(b2 > r2 + 20 && b2 > g2 + 20, `blue floor ${[r2, g2, b2].join()}`);
});

void test('every shape family is asymmetric: half-turns about each axis give a visibly different image', () => {
  for (const [classIndex, family] of SHAPE_FAMILIES.entries()) {
    const { mesh } = objectMesh(0, classIndex, 0);
    const euler = [0.4, 0.2, -0.3];
    const img = renderer.render(mesh, [...euler, ...base.slice(3)]);
    for (const axis of [0, 1, 2] as const) {
      const turned = renderer.render(mesh, [...composeHalfTurn(euler, axis), ...base.slice(3)]);
      assert.ok(meanAbsDiff(img, turned) > 0.5, `${family.name}: 180° about axis ${axis} looks the same`);
    }
    // the object is visible: the centre region differs from an empty floor
    const empty = renderer.render({ positions: new Float32Array(0), normals: new Float32Array(0), colors: new Float32Array(0), triangles: 0 }, [...euler, ...base.slice(3)]);
    assert.ok(meanAbsDiff(img, empty) > 2, `${family.name} is visible`);
  }
});
