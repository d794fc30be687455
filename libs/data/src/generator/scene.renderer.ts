import { hsvToRgb } from './color';
import type { Mesh } from './mesh.builder';

/**
 * Software renderer of one 3DIEBench view (spec §1.1): the object (already centred, unit bounding-box diagonal)
 * rotated by the extrinsic xyz Euler angles of the latent, above a floor plane at z = −1 coloured HSV(h, 0.6, 0.6),
 * lit by ambient light, a sun from straight above (soft shadow) and a coloured spot light HSV(h, 1, 0.8) at
 * radius 4 and angles (θ, φ) pointing at the origin (cone π/8, shadow-mapped). Camera at distance 2.5,
 * polar π/4, azimuth π/2, looking at the origin, 39.6° field of view (Blender's default 50 mm lens).
 * Lambertian shading, z-buffer, perspective-correct interpolation, supersampled anti-aliasing, sRGB output.
 */
const CAMERA_DISTANCE = 2.5;
const CAMERA_POLAR = Math.PI / 4;
const CAMERA_AZIMUTH = Math.PI / 2;
const FOV = 2 * Math.atan(18 / 50);
const FLOOR_Z = -1;
const SPOT_RADIUS = 4;
const SPOT_HALF_ANGLE = Math.PI / 16;
const SPOT_BLEND = 0.15;
const AMBIENT = 0.22;
const SUN = 0.62;
const SPOT = 1.05;
const SHADOW_SIZE = 64;
const SUN_MAP_EXTENT = 0.75;
const SUN_BLUR = 3;

type V3 = [number, number, number];

const sub = (a: V3, b: V3): V3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const cross = (a: V3, b: V3): V3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const norm = (a: V3): V3 => {
  const n = Math.hypot(a[0], a[1], a[2]) || 1;
  return [a[0] / n, a[1] / n, a[2] / n];
};

/** A camera-like projector: origin, orthonormal basis and focal length in pixels (perspective) or scale (ortho). */
interface Frame {
  origin: V3;
  right: V3;
  up: V3;
  forward: V3;
}

function lookAt(origin: V3, target: V3, worldUp: V3): Frame {
  const forward = norm(sub(target, origin));
  let right = cross(forward, worldUp);
  if (Math.hypot(...right) < 1e-6) right = cross(forward, [0, 1, 0]);
  right = norm(right);
  return { origin, right, up: cross(right, forward), forward };
}

const SRGB_STEPS = 8192;
/** Linear [0, 1] → sRGB byte, tabulated (Math.pow per channel dominated the resolve step). */
const SRGB_LUT = Uint8Array.from({ length: SRGB_STEPS + 1 }, (_, i) => {
  const c = i / SRGB_STEPS;
  const s = c <= 0.0031308 ? 12.92 * c : 1.055 * Math.pow(c, 1 / 2.4) - 0.055;
  return Math.round(s * 255);
});

function srgbByte(linear: number): number {
  return SRGB_LUT[linear <= 0 ? 0 : linear >= 1 ? SRGB_STEPS : Math.round(linear * SRGB_STEPS)]!;
}

export class SceneRenderer {
  readonly width: number;
  private readonly ss: number;
  private readonly camera: Frame;
  private readonly focal: number;
  private readonly depth: Float32Array;
  private readonly triIds: Int32Array;
  private readonly bary: Float32Array;
  private readonly linear: Float32Array;
  private readonly sunMap = new Float32Array(SHADOW_SIZE * SHADOW_SIZE);
  private readonly sunCover = new Float32Array(SHADOW_SIZE * SHADOW_SIZE);
  private readonly sunBlurTmp = new Float32Array(SHADOW_SIZE * SHADOW_SIZE);
  private readonly spotMap = new Float32Array(SHADOW_SIZE * SHADOW_SIZE);
  private world = new Float32Array(0);
  private normals = new Float32Array(0);
  private screen = new Float32Array(0);

  constructor(readonly size: number) {
    this.ss = Math.min(2, Math.max(1, Math.ceil(160 / size)));
    this.width = size * this.ss;
    const c: V3 = [
      CAMERA_DISTANCE * Math.sin(CAMERA_POLAR) * Math.cos(CAMERA_AZIMUTH),
      CAMERA_DISTANCE * Math.sin(CAMERA_POLAR) * Math.sin(CAMERA_AZIMUTH),
      CAMERA_DISTANCE * Math.cos(CAMERA_POLAR),
    ];
    this.camera = lookAt(c, [0, 0, 0], [0, 0, 1]);
    this.focal = this.width / 2 / Math.tan(FOV / 2);
    const n = this.width * this.width;
    this.depth = new Float32Array(n);
    this.triIds = new Int32Array(n);
    this.bary = new Float32Array(2 * n);
    this.linear = new Float32Array(3 * n);
  }

  /** Render `mesh` under the 7 latents; returns `size × size × 3` sRGB bytes (row-major, RGB). */
  render(mesh: Mesh, latent: ArrayLike<number>): Buffer {
    const at = (i: number) => Number(latent[i] ?? 0);
    const [ax, ay, az, floorHue, spotTheta, spotPhi, lightHue] = [at(0), at(1), at(2), at(3), at(4), at(5), at(6)];
    this.transform(mesh, ax, ay, az);
    const spotPos: V3 = [
      SPOT_RADIUS * Math.sin(spotTheta) * Math.cos(spotPhi),
      SPOT_RADIUS * Math.sin(spotTheta) * Math.sin(spotPhi),
      SPOT_RADIUS * Math.cos(spotTheta),
    ];
    const spotFrame = lookAt(spotPos, [0, 0, 0], [0, 0, 1]);
    const spotFocal = SHADOW_SIZE / 2 / (Math.tan(SPOT_HALF_ANGLE) * 1.25);
    this.buildSunMap(mesh);
    this.buildSpotMap(mesh, spotFrame, spotFocal);
    this.rasterizeCamera(mesh);
    this.shade(mesh, hsvToRgb(floorHue, 0.6, 0.6), hsvToRgb(lightHue, 1, 0.8), spotFrame, spotFocal);
    return this.resolve();
  }

  private transform(mesh: Mesh, a: number, b: number, c: number): void {
    const n = mesh.positions.length;
    if (this.world.length < n) {
      this.world = new Float32Array(n);
      this.normals = new Float32Array(n);
      this.screen = new Float32Array(n);
    }
    const [ca, sa, cb, sb, cc, sc] = [Math.cos(a), Math.sin(a), Math.cos(b), Math.sin(b), Math.cos(c), Math.sin(c)];
    const m = [cc * cb, cc * sb * sa - sc * ca, cc * sb * ca + sc * sa, sc * cb, sc * sb * sa + cc * ca, sc * sb * ca - cc * sa, -sb, cb * sa, cb * ca] as const;
    const { world, normals, screen } = this;
    const cam = this.camera;
    const half = this.width / 2;
    for (let i = 0; i < n; i += 3) {
      const x = mesh.positions[i]!, y = mesh.positions[i + 1]!, z = mesh.positions[i + 2]!;
      world[i] = m[0] * x + m[1] * y + m[2] * z;
      world[i + 1] = m[3] * x + m[4] * y + m[5] * z;
      world[i + 2] = m[6] * x + m[7] * y + m[8] * z;
      const nx = mesh.normals[i]!, ny = mesh.normals[i + 1]!, nz = mesh.normals[i + 2]!;
      normals[i] = m[0] * nx + m[1] * ny + m[2] * nz;
      normals[i + 1] = m[3] * nx + m[4] * ny + m[5] * nz;
      normals[i + 2] = m[6] * nx + m[7] * ny + m[8] * nz;
      const dx = world[i]! - cam.origin[0], dy = world[i + 1]! - cam.origin[1], dz = world[i + 2]! - cam.origin[2];
      const zc = dx * cam.forward[0] + dy * cam.forward[1] + dz * cam.forward[2];
      screen[i] = half + (this.focal * (dx * cam.right[0] + dy * cam.right[1] + dz * cam.right[2])) / zc;
      screen[i + 1] = half - (this.focal * (dx * cam.up[0] + dy * cam.up[1] + dz * cam.up[2])) / zc;
      screen[i + 2] = 1 / zc;
    }
  }

  /**
   * Generic triangle rasteriser over a `size × size` grid: calls `visit(index, l0, l1, l2)` with the screen-space
   * barycentrics of every pixel centre inside the triangle.
   */
  private static raster(
    x0: number, y0: number, x1: number, y1: number, x2: number, y2: number, size: number,
    visit: (pixel: number, l0: number, l1: number, l2: number) => void,
  ): void {
    const area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0);
    if (Math.abs(area) < 1e-12) return;
    const minX = Math.max(0, Math.floor(Math.min(x0, x1, x2)));
    const maxX = Math.min(size - 1, Math.ceil(Math.max(x0, x1, x2)));
    const minY = Math.max(0, Math.floor(Math.min(y0, y1, y2)));
    const maxY = Math.min(size - 1, Math.ceil(Math.max(y0, y1, y2)));
    const inv = 1 / area;
    for (let py = minY; py <= maxY; py++) {
      const cy = py + 0.5;
      for (let px = minX; px <= maxX; px++) {
        const cx = px + 0.5;
        const l0 = ((x1 - cx) * (y2 - cy) - (x2 - cx) * (y1 - cy)) * inv;
        const l1 = ((x2 - cx) * (y0 - cy) - (x0 - cx) * (y2 - cy)) * inv;
        const l2 = 1 - l0 - l1;
        if (l0 < 0 || l1 < 0 || l2 < 0) continue;
        visit(py * size + px, l0, l1, l2);
      }
    }
  }

  /** Camera pass (hot loop, inlined): nearest triangle id and perspective-correct barycentrics per pixel. */
  private rasterizeCamera(mesh: Mesh): void {
    const { depth, triIds, bary, screen, width } = this;
    depth.fill(0);
    triIds.fill(-1);
    for (let t = 0; t < mesh.triangles; t++) {
      const o = t * 9;
      const x0 = screen[o]!, y0 = screen[o + 1]!, w0 = screen[o + 2]!;
      const x1 = screen[o + 3]!, y1 = screen[o + 4]!, w1 = screen[o + 5]!;
      const x2 = screen[o + 6]!, y2 = screen[o + 7]!, w2 = screen[o + 8]!;
      const area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0);
      if (Math.abs(area) < 1e-12) continue;
      const inv = 1 / area;
      const minX = Math.max(0, Math.floor(Math.min(x0, x1, x2)));
      const maxX = Math.min(width - 1, Math.ceil(Math.max(x0, x1, x2)));
      const minY = Math.max(0, Math.floor(Math.min(y0, y1, y2)));
      const maxY = Math.min(width - 1, Math.ceil(Math.max(y0, y1, y2)));
      // l0 = a0·cx + b0·cy + c0 (affine in the pixel centre), same for l1
      const a0 = (y1 - y2) * inv, b0 = (x2 - x1) * inv, c0 = (x1 * y2 - x2 * y1) * inv;
      const a1 = (y2 - y0) * inv, b1 = (x0 - x2) * inv, c1 = (x2 * y0 - x0 * y2) * inv;
      for (let py = minY; py <= maxY; py++) {
        const cy = py + 0.5;
        let l0 = a0 * (minX + 0.5) + b0 * cy + c0;
        let l1 = a1 * (minX + 0.5) + b1 * cy + c1;
        let p = py * width + minX;
        for (let px = minX; px <= maxX; px++, p++, l0 += a0, l1 += a1) {
          const l2 = 1 - l0 - l1;
          if (l0 < 0 || l1 < 0 || l2 < 0) continue;
          const w = l0 * w0 + l1 * w1 + l2 * w2; // 1/z, linear in screen space
          if (w <= depth[p]!) continue;
          depth[p] = w;
          triIds[p] = t;
          bary[2 * p] = (l1 * w1) / w; // perspective-correct weights of vertices 1 and 2
          bary[2 * p + 1] = (l2 * w2) / w;
        }
      }
    }
  }

  /** Top-down orthographic height map of the object (max z per texel) for the sun, plus a blurred coverage. */
  private buildSunMap(mesh: Mesh): void {
    const { sunMap, world } = this;
    sunMap.fill(-Infinity);
    const k = SHADOW_SIZE / (2 * SUN_MAP_EXTENT);
    const u = (x: number) => (x + SUN_MAP_EXTENT) * k;
    for (let t = 0; t < mesh.triangles; t++) {
      const o = t * 9;
      const z0 = world[o + 2]!, z1 = world[o + 5]!, z2 = world[o + 8]!;
      SceneRenderer.raster(u(world[o]!), u(world[o + 1]!), u(world[o + 3]!), u(world[o + 4]!), u(world[o + 6]!), u(world[o + 7]!), SHADOW_SIZE, (p, l0, l1, l2) => {
        const z = l0 * z0 + l1 * z1 + l2 * z2;
        if (z > sunMap[p]!) sunMap[p] = z;
      });
    }
    // Soft sun shadow on the floor: box-blurred coverage (the reference sun has a wide angle, π/2).
    const { sunCover, sunBlurTmp } = this;
    for (let i = 0; i < sunMap.length; i++) sunCover[i] = sunMap[i]! > -Infinity ? 1 : 0;
    const r = SUN_BLUR;
    for (let pass = 0; pass < 2; pass++) {
      const [src, dst] = pass === 0 ? [sunCover, sunBlurTmp] : [sunBlurTmp, sunCover];
      for (let y = 0; y < SHADOW_SIZE; y++) {
        for (let x = 0; x < SHADOW_SIZE; x++) {
          let s = 0;
          for (let d = -r; d <= r; d++) {
            const xx = pass === 0 ? x + d : x;
            const yy = pass === 0 ? y : y + d;
            if (xx >= 0 && yy >= 0 && xx < SHADOW_SIZE && yy < SHADOW_SIZE) s += src[yy * SHADOW_SIZE + xx]!;
          }
          dst[y * SHADOW_SIZE + x] = s / (2 * r + 1);
        }
      }
    }
  }

  private buildSpotMap(mesh: Mesh, frame: Frame, focal: number): void {
    const { spotMap, world } = this;
    spotMap.fill(Infinity);
    const n = mesh.positions.length;
    const ls = new Float32Array(n);
    const half = SHADOW_SIZE / 2;
    for (let i = 0; i < n; i += 3) {
      const dx = world[i]! - frame.origin[0], dy = world[i + 1]! - frame.origin[1], dz = world[i + 2]! - frame.origin[2];
      const zc = dx * frame.forward[0] + dy * frame.forward[1] + dz * frame.forward[2];
      ls[i] = half + (focal * (dx * frame.right[0] + dy * frame.right[1] + dz * frame.right[2])) / zc;
      ls[i + 1] = half - (focal * (dx * frame.up[0] + dy * frame.up[1] + dz * frame.up[2])) / zc;
      ls[i + 2] = zc;
    }
    for (let t = 0; t < mesh.triangles; t++) {
      const o = t * 9;
      const z0 = ls[o + 2]!, z1 = ls[o + 5]!, z2 = ls[o + 8]!;
      SceneRenderer.raster(ls[o]!, ls[o + 1]!, ls[o + 3]!, ls[o + 4]!, ls[o + 6]!, ls[o + 7]!, SHADOW_SIZE, (p, l0, l1, l2) => {
        const z = l0 * z0 + l1 * z1 + l2 * z2;
        if (z < spotMap[p]!) spotMap[p] = z;
      });
    }
  }

  private shade(mesh: Mesh, floor: [number, number, number], light: [number, number, number], spot: Frame, spotFocal: number): void {
    const { width, camera, focal, triIds, bary, world, normals, linear, sunMap, sunCover, spotMap } = this;
    const half = width / 2;
    const sunK = SHADOW_SIZE / (2 * SUN_MAP_EXTENT);
    const spotCos = Math.cos(SPOT_HALF_ANGLE);
    const spotBlend = (1 - spotCos) * SPOT_BLEND;
    const sp = spot.origin;

    const sunTexel = (x: number, y: number): number => {
      const tx = Math.floor((x + SUN_MAP_EXTENT) * sunK);
      const ty = Math.floor((y + SUN_MAP_EXTENT) * sunK);
      return tx < 0 || ty < 0 || tx >= SHADOW_SIZE || ty >= SHADOW_SIZE ? -1 : ty * SHADOW_SIZE + tx;
    };
    /** Fraction of the spot light reaching P (cone mask × 3×3 PCF shadow test). */
    const spotVisibility = (px: number, py: number, pz: number, bias: number): number => {
      const dx = px - sp[0], dy = py - sp[1], dz = pz - sp[2];
      const zc = dx * spot.forward[0] + dy * spot.forward[1] + dz * spot.forward[2];
      const cosAngle = zc / Math.sqrt(dx * dx + dy * dy + dz * dz);
      let mask = (cosAngle - spotCos) / spotBlend;
      if (mask <= 0) return 0;
      if (mask > 1) mask = 1;
      mask = mask * mask * (3 - 2 * mask);
      const u = SHADOW_SIZE / 2 + (spotFocal * (dx * spot.right[0] + dy * spot.right[1] + dz * spot.right[2])) / zc;
      const v = SHADOW_SIZE / 2 - (spotFocal * (dx * spot.up[0] + dy * spot.up[1] + dz * spot.up[2])) / zc;
      // 2×2 percentage-closer filtering around the projected point
      const u0 = Math.floor(u - 0.5), v0 = Math.floor(v - 0.5);
      let lit = 0;
      for (let k = 0; k < 4; k++) {
        const tx = u0 + (k & 1), ty = v0 + (k >> 1);
        if (tx < 0 || ty < 0 || tx >= SHADOW_SIZE || ty >= SHADOW_SIZE || zc <= spotMap[ty * SHADOW_SIZE + tx]! + bias) lit++;
      }
      return (mask * lit) / 4;
    };

    for (let py = 0; py < width; py++) {
      for (let px = 0; px < width; px++) {
        const p = py * width + px;
        const t = triIds[p]!;
        let wx: number, wy: number, wz: number, nx: number, ny: number, nz: number, r: number, g: number, b: number;
        let sunVis: number;
        let bias: number;
        if (t < 0) {
          // floor: intersect the camera ray with z = FLOOR_Z
          const sx = (px + 0.5 - half) / focal;
          const sy = -(py + 0.5 - half) / focal;
          const dx = camera.forward[0] + sx * camera.right[0] + sy * camera.up[0];
          const dy = camera.forward[1] + sx * camera.right[1] + sy * camera.up[1];
          const dz = camera.forward[2] + sx * camera.right[2] + sy * camera.up[2];
          const s = (FLOOR_Z - camera.origin[2]) / dz;
          wx = camera.origin[0] + s * dx;
          wy = camera.origin[1] + s * dy;
          wz = FLOOR_Z;
          nx = 0; ny = 0; nz = 1;
          r = floor[0]; g = floor[1]; b = floor[2];
          const texel = sunTexel(wx, wy);
          sunVis = 1 - 0.85 * (texel < 0 ? 0 : sunCover[texel]!);
          bias = 0.02;
        } else {
          const b1 = bary[2 * p]!, b2 = bary[2 * p + 1]!, b0 = 1 - b1 - b2;
          const o = t * 9;
          wx = b0 * world[o]! + b1 * world[o + 3]! + b2 * world[o + 6]!;
          wy = b0 * world[o + 1]! + b1 * world[o + 4]! + b2 * world[o + 7]!;
          wz = b0 * world[o + 2]! + b1 * world[o + 5]! + b2 * world[o + 8]!;
          nx = b0 * normals[o]! + b1 * normals[o + 3]! + b2 * normals[o + 6]!;
          ny = b0 * normals[o + 1]! + b1 * normals[o + 4]! + b2 * normals[o + 7]!;
          nz = b0 * normals[o + 2]! + b1 * normals[o + 5]! + b2 * normals[o + 8]!;
          const len = Math.sqrt(nx * nx + ny * ny + nz * nz) || 1;
          nx /= len; ny /= len; nz /= len;
          // two-sided: face the camera
          if (nx * (camera.origin[0] - wx) + ny * (camera.origin[1] - wy) + nz * (camera.origin[2] - wz) < 0) {
            nx = -nx; ny = -ny; nz = -nz;
          }
          r = mesh.colors[3 * t]!; g = mesh.colors[3 * t + 1]!; b = mesh.colors[3 * t + 2]!;
          const texel = sunTexel(wx, wy);
          const up = Math.abs(nz);
          const sunBias = 0.03 + 0.04 * Math.min(5, Math.sqrt(Math.max(0, 1 - up * up)) / Math.max(up, 1e-3));
          sunVis = texel >= 0 && sunMap[texel]! > wz + sunBias ? 0.25 : 1;
          bias = 0.03;
        }
        const sun = SUN * sunVis * Math.max(0, nz);
        let lr = AMBIENT + sun, lg = AMBIENT + sun, lb = AMBIENT + sun;
        const lx = sp[0] - wx, ly = sp[1] - wy, lz = sp[2] - wz;
        const d2 = lx * lx + ly * ly + lz * lz;
        const ndl = (nx * lx + ny * ly + nz * lz) / Math.sqrt(d2);
        if (ndl > 0) {
          // slope-scaled depth bias against shadow acne on surfaces grazing the light
          const slope = Math.min(5, Math.sqrt(Math.max(0, 1 - ndl * ndl)) / ndl);
          const vis = spotVisibility(wx, wy, wz, bias + 0.03 * slope);
          if (vis > 0) {
            const e = (SPOT * vis * ndl * SPOT_RADIUS * SPOT_RADIUS) / d2;
            lr += e * light[0]; lg += e * light[1]; lb += e * light[2];
          }
        }
        linear[3 * p] = r * lr;
        linear[3 * p + 1] = g * lg;
        linear[3 * p + 2] = b * lb;
      }
    }
  }

  /** Box-filter the supersampled linear image down to `size` and encode to sRGB bytes. */
  private resolve(): Buffer {
    const { size, ss, width, linear } = this;
    const out = Buffer.alloc(size * size * 3);
    const k = 1 / (ss * ss);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        let r = 0, g = 0, b = 0;
        for (let dy = 0; dy < ss; dy++) {
          for (let dx = 0; dx < ss; dx++) {
            const p = 3 * ((y * ss + dy) * width + x * ss + dx);
            r += linear[p]!; g += linear[p + 1]!; b += linear[p + 2]!;
          }
        }
        const o = 3 * (y * size + x);
        out[o] = srgbByte(r * k);
        out[o + 1] = srgbByte(g * k);
        out[o + 2] = srgbByte(b * k);
      }
    }
    return out;
  }
}
