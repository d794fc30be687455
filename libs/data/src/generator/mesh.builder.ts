/**
 * Triangle-soup meshes for the synthetic generator: primitives (box, frustum/cylinder/cone, ellipsoid, torus,
 * wedge) placed with a rotation and translation, each part with its own albedo colour.
 */
export type Vec3 = [number, number, number];
export type Rgb = [number, number, number];

export interface Mesh {
  /** 9 floats per triangle (3 vertices × xyz). */
  positions: Float32Array;
  /** 9 floats per triangle (per-vertex normals). */
  normals: Float32Array;
  /** 3 floats per triangle (linear RGB albedo in [0, 1]). */
  colors: Float32Array;
  triangles: number;
}

export interface Placement {
  at?: Vec3;
  /** Extrinsic xyz Euler angles (radians) applied before the translation. */
  rotate?: Vec3;
}

function rotationMatrix([a, b, c]: Vec3): number[] {
  const [ca, sa, cb, sb, cc, sc] = [Math.cos(a), Math.sin(a), Math.cos(b), Math.sin(b), Math.cos(c), Math.sin(c)];
  // Rz(c)·Ry(b)·Rx(a)
  return [
    cc * cb, cc * sb * sa - sc * ca, cc * sb * ca + sc * sa,
    sc * cb, sc * sb * sa + cc * ca, sc * sb * ca - cc * sa,
    -sb, cb * sa, cb * ca,
  ];
}

function apply(m: readonly number[], v: Vec3): Vec3 {
  return [
    m[0]! * v[0] + m[1]! * v[1] + m[2]! * v[2],
    m[3]! * v[0] + m[4]! * v[1] + m[5]! * v[2],
    m[6]! * v[0] + m[7]! * v[1] + m[8]! * v[2],
  ];
}

function normalize(v: Vec3): Vec3 {
  const n = Math.hypot(v[0], v[1], v[2]) || 1;
  return [v[0] / n, v[1] / n, v[2] / n];
}

function faceNormal(a: Vec3, b: Vec3, c: Vec3): Vec3 {
  const u: Vec3 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
  const v: Vec3 = [c[0] - a[0], c[1] - a[1], c[2] - a[2]];
  return normalize([u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]]);
}

export class MeshBuilder {
  private readonly positions: number[] = [];
  private readonly normals: number[] = [];
  private readonly colors: number[] = [];
  private matrix: number[] = rotationMatrix([0, 0, 0]);
  private offset: Vec3 = [0, 0, 0];
  private color: Rgb = [0.7, 0.7, 0.7];

  private begin(color: Rgb, placement: Placement): void {
    this.color = color;
    this.matrix = rotationMatrix(placement.rotate ?? [0, 0, 0]);
    this.offset = placement.at ?? [0, 0, 0];
  }

  /** One triangle in the part's local frame; normals default to the face normal. */
  private tri(a: Vec3, b: Vec3, c: Vec3, na?: Vec3, nb?: Vec3, nc?: Vec3): void {
    const f = faceNormal(a, b, c);
    for (const [p, n] of [[a, na ?? f], [b, nb ?? f], [c, nc ?? f]] as [Vec3, Vec3][]) {
      const wp = apply(this.matrix, p);
      const wn = apply(this.matrix, n);
      this.positions.push(wp[0] + this.offset[0], wp[1] + this.offset[1], wp[2] + this.offset[2]);
      this.normals.push(wn[0], wn[1], wn[2]);
    }
    this.colors.push(...this.color);
  }

  private quad(a: Vec3, b: Vec3, c: Vec3, d: Vec3): void {
    this.tri(a, b, c);
    this.tri(a, c, d);
  }

  /** Axis-aligned box of full sizes (sx, sy, sz), centred on its placement. */
  box(size: Vec3, color: Rgb, placement: Placement = {}): this {
    this.begin(color, placement);
    const [x, y, z] = [size[0] / 2, size[1] / 2, size[2] / 2];
    const p = (i: number, j: number, k: number): Vec3 => [i ? x : -x, j ? y : -y, k ? z : -z];
    this.quad(p(0, 0, 0), p(0, 1, 0), p(1, 1, 0), p(1, 0, 0)); // -z
    this.quad(p(0, 0, 1), p(1, 0, 1), p(1, 1, 1), p(0, 1, 1)); // +z
    this.quad(p(0, 0, 0), p(1, 0, 0), p(1, 0, 1), p(0, 0, 1)); // -y
    this.quad(p(0, 1, 0), p(0, 1, 1), p(1, 1, 1), p(1, 1, 0)); // +y
    this.quad(p(0, 0, 0), p(0, 0, 1), p(0, 1, 1), p(0, 1, 0)); // -x
    this.quad(p(1, 0, 0), p(1, 1, 0), p(1, 1, 1), p(1, 0, 1)); // +x
    return this;
  }

  /** Truncated cone along local z from z=-h/2 (radius r0) to z=+h/2 (radius r1), with caps. */
  frustum(r0: number, r1: number, h: number, color: Rgb, placement: Placement = {}, segments = 16): this {
    this.begin(color, placement);
    const z0 = -h / 2;
    const z1 = h / 2;
    const slope = (r0 - r1) / h;
    for (let i = 0; i < segments; i++) {
      const t0 = (i / segments) * 2 * Math.PI;
      const t1 = ((i + 1) / segments) * 2 * Math.PI;
      const [c0, s0, c1, s1] = [Math.cos(t0), Math.sin(t0), Math.cos(t1), Math.sin(t1)];
      const n0 = normalize([c0, s0, slope]);
      const n1 = normalize([c1, s1, slope]);
      const a: Vec3 = [r0 * c0, r0 * s0, z0];
      const b: Vec3 = [r0 * c1, r0 * s1, z0];
      const c: Vec3 = [r1 * c1, r1 * s1, z1];
      const d: Vec3 = [r1 * c0, r1 * s0, z1];
      this.tri(a, b, c, n0, n1, n1);
      if (r1 > 0) this.tri(a, c, d, n0, n1, n0);
      if (r0 > 0) this.tri([0, 0, z0], b, a, [0, 0, -1], [0, 0, -1], [0, 0, -1]);
      if (r1 > 0) this.tri([0, 0, z1], d, c, [0, 0, 1], [0, 0, 1], [0, 0, 1]);
    }
    return this;
  }

  cylinder(r: number, h: number, color: Rgb, placement: Placement = {}, segments = 16): this {
    return this.frustum(r, r, h, color, placement, segments);
  }

  cone(r: number, h: number, color: Rgb, placement: Placement = {}, segments = 16): this {
    return this.frustum(r, 0, h, color, placement, segments);
  }

  /** Ellipsoid with semi-axes (a, b, c) and smooth normals. */
  ellipsoid(radii: Vec3, color: Rgb, placement: Placement = {}, slices = 16, stacks = 10): this {
    this.begin(color, placement);
    const [ra, rb, rc] = radii;
    const point = (i: number, j: number): [Vec3, Vec3] => {
      const theta = (j / stacks) * Math.PI;
      const phi = (i / slices) * 2 * Math.PI;
      const u: Vec3 = [Math.sin(theta) * Math.cos(phi), Math.sin(theta) * Math.sin(phi), Math.cos(theta)];
      return [[ra * u[0], rb * u[1], rc * u[2]], normalize([u[0] / ra, u[1] / rb, u[2] / rc])];
    };
    for (let j = 0; j < stacks; j++) {
      for (let i = 0; i < slices; i++) {
        const [a, na] = point(i, j);
        const [b, nb] = point(i + 1, j);
        const [c, nc] = point(i + 1, j + 1);
        const [d, nd] = point(i, j + 1);
        if (j > 0) this.tri(a, d, b, na, nd, nb);
        if (j < stacks - 1) this.tri(b, d, c, nb, nd, nc);
      }
    }
    return this;
  }

  sphere(r: number, color: Rgb, placement: Placement = {}): this {
    return this.ellipsoid([r, r, r], color, placement);
  }

  /** Torus around local z (ring radius R, tube radius r); `arc` < 2π leaves an open ring. */
  torus(R: number, r: number, color: Rgb, placement: Placement = {}, arc = 2 * Math.PI, segments = 16, sides = 8): this {
    this.begin(color, placement);
    const point = (i: number, j: number): [Vec3, Vec3] => {
      const u = (i / segments) * arc;
      const v = (j / sides) * 2 * Math.PI;
      const n: Vec3 = [Math.cos(v) * Math.cos(u), Math.cos(v) * Math.sin(u), Math.sin(v)];
      return [[(R + r * Math.cos(v)) * Math.cos(u), (R + r * Math.cos(v)) * Math.sin(u), r * Math.sin(v)], n];
    };
    for (let i = 0; i < segments; i++) {
      for (let j = 0; j < sides; j++) {
        const [a, na] = point(i, j);
        const [b, nb] = point(i + 1, j);
        const [c, nc] = point(i + 1, j + 1);
        const [d, nd] = point(i, j + 1);
        this.tri(a, b, c, na, nb, nc);
        this.tri(a, c, d, na, nc, nd);
      }
    }
    return this;
  }

  /** Triangular prism: right triangle (0,0)-(sx,0)-(0,sz) in local xz, extruded along y by sy, centred in y. */
  wedge(size: Vec3, color: Rgb, placement: Placement = {}): this {
    this.begin(color, placement);
    const [sx, sy, sz] = size;
    const y0 = -sy / 2;
    const y1 = sy / 2;
    const a0: Vec3 = [0, y0, 0], b0: Vec3 = [sx, y0, 0], c0: Vec3 = [0, y0, sz];
    const a1: Vec3 = [0, y1, 0], b1: Vec3 = [sx, y1, 0], c1: Vec3 = [0, y1, sz];
    this.tri(a0, b0, c0);
    this.tri(a1, c1, b1);
    this.quad(a0, a1, b1, b0);
    this.quad(a0, c0, c1, a1);
    this.quad(b0, b1, c1, c0);
    return this;
  }

  /**
   * The finished mesh, re-centred on its bounding-box centre and scaled to the given bounding-box diagonal
   * (ShapeNet models are normalised to a unit diagonal; the reference scene re-centres them at the origin).
   */
  build(diagonal = 1): Mesh {
    const p = this.positions;
    const lo: Vec3 = [Infinity, Infinity, Infinity];
    const hi: Vec3 = [-Infinity, -Infinity, -Infinity];
    for (let i = 0; i < p.length; i += 3) {
      for (let k = 0; k < 3; k++) {
        lo[k] = Math.min(lo[k]!, p[i + k]!);
        hi[k] = Math.max(hi[k]!, p[i + k]!);
      }
    }
    const centre = [0, 1, 2].map((k) => (lo[k]! + hi[k]!) / 2);
    const scale = diagonal / (Math.hypot(hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]) || 1);
    const positions = new Float32Array(p.length);
    for (let i = 0; i < p.length; i++) positions[i] = (p[i]! - centre[i % 3]!) * scale;
    return {
      positions,
      normals: Float32Array.from(this.normals),
      colors: Float32Array.from(this.colors),
      triangles: this.colors.length / 3,
    };
  }
}
