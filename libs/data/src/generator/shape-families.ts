import type { Prng } from '../random/prng';
import { hsvToRgb } from './color';
import { MeshBuilder, type Mesh, type Rgb } from './mesh.builder';

/**
 * Procedural object families of the synthetic 3DIEBench. Each family assembles primitives with per-object
 * proportions, optional parts and colours. Every family is built without rotational symmetry (a part on one
 * side, a differently coloured part, a tilt), so the object's pose can be recovered from a single view.
 * Local frame: z up, x forward.
 */
export interface ClassStyle {
  /** Per-class stretch of the family's proportions (classes beyond the family count differ by style). */
  stretch: number;
  /** Base hue of the class palette. */
  hue: number;
}

export interface ShapeFamily {
  name: string;
  build(rng: Prng, style: ClassStyle): Mesh;
}

/** A colour near the class hue with per-object jitter. */
function tone(rng: Prng, style: ClassStyle, hueShift = 0, sat: [number, number] = [0.35, 0.75], val: [number, number] = [0.45, 0.85]): Rgb {
  return hsvToRgb(style.hue + hueShift + rng.uniform(-0.06, 0.06), rng.uniform(...sat), rng.uniform(...val));
}

function accent(rng: Prng): Rgb {
  return hsvToRgb(rng.next(), rng.uniform(0.6, 0.95), rng.uniform(0.5, 0.9));
}

/** Bounding-box diagonal of every object (a little above ShapeNet's 1, so small renders stay legible). */
export const OBJECT_DIAGONAL = 1.3;

const DARK: Rgb = [0.08, 0.08, 0.09];
const LIGHT: Rgb = [0.92, 0.9, 0.85];

const airplane: ShapeFamily = {
  name: 'airplane',
  build(r, s) {
    const m = new MeshBuilder();
    const len = r.uniform(1.6, 2.2) * s.stretch;
    const rad = r.uniform(0.11, 0.17);
    const body = tone(r, s);
    m.cylinder(rad, len, body, { rotate: [0, Math.PI / 2, 0] });
    m.cone(rad, r.uniform(0.25, 0.45), accent(r), { at: [len / 2 + 0.15, 0, 0], rotate: [0, Math.PI / 2, 0] });
    const span = r.uniform(1.4, 2.0);
    const sweep = r.uniform(0, 0.35);
    const wing = tone(r, s, 0.5);
    m.box([r.uniform(0.25, 0.4), span, 0.04], wing, { at: [r.uniform(-0.1, 0.15), 0, -rad * 0.3], rotate: [0, 0, sweep * 0.3] });
    m.box([0.3, 0.05, r.uniform(0.3, 0.5)], accent(r), { at: [-len / 2 + 0.12, 0, rad + 0.18], rotate: [0, -0.3, 0] });
    m.box([0.2, r.uniform(0.5, 0.8), 0.03], wing, { at: [-len / 2 + 0.1, 0, 0.02] });
    const engines = r.int(3);
    for (let i = 0; i < engines; i++) {
      const y = (0.3 + 0.25 * i) * span * 0.5;
      for (const side of [-1, 1]) m.cylinder(0.06, 0.3, DARK, { at: [0.1, side * y, -rad - 0.06], rotate: [0, Math.PI / 2, 0] });
    }
    return m.build(OBJECT_DIAGONAL);
  },
};

const chair: ShapeFamily = {
  name: 'chair',
  build(r, s) {
    const m = new MeshBuilder();
    const w = r.uniform(0.8, 1.1);
    const d = r.uniform(0.8, 1.0);
    const legH = r.uniform(0.7, 1.0) * s.stretch;
    const seat = tone(r, s);
    const wood = tone(r, s, 0.08, [0.4, 0.7], [0.3, 0.55]);
    m.box([d, w, 0.12], seat, { at: [0, 0, legH] });
    const backH = r.uniform(0.8, 1.3);
    m.box([0.1, w, backH], seat, { at: [-d / 2 + 0.05, 0, legH + backH / 2], rotate: [0, -r.uniform(0, 0.25), 0] });
    const legR = r.uniform(0.04, 0.07);
    for (const [x, y] of [[1, 1], [1, -1], [-1, 1], [-1, -1]] as const) m.cylinder(legR, legH, wood, { at: [(x * d) / 2.3, (y * w) / 2.3, legH / 2] });
    if (r.next() < 0.5) {
      for (const y of [-1, 1]) m.box([d * 0.8, 0.08, 0.08], wood, { at: [0, (y * w) / 2, legH + 0.35] });
    }
    m.box([0.12, w * 0.6, 0.2], accent(r), { at: [-d / 2 + 0.05, 0, legH + backH * 0.7] });
    return m.build(OBJECT_DIAGONAL);
  },
};

const table: ShapeFamily = {
  name: 'table',
  build(r, s) {
    const m = new MeshBuilder();
    const L = r.uniform(1.4, 2.0) * s.stretch;
    const W = r.uniform(0.7, 1.0);
    const H = r.uniform(0.7, 1.0);
    const top = tone(r, s, 0, [0.3, 0.6], [0.5, 0.85]);
    const leg = tone(r, s, 0.1, [0.3, 0.6], [0.2, 0.45]);
    m.box([L, W, 0.08], top, { at: [0, 0, H] });
    for (const [x, y] of [[1, 1], [1, -1], [-1, 1], [-1, -1]] as const) m.box([0.08, 0.08, H], leg, { at: [(x * L) / 2.2, (y * W) / 2.2, H / 2] });
    m.box([L * 0.35, W * 0.8, 0.2], accent(r), { at: [L * 0.25, 0, H - 0.16] });
    m.box([r.uniform(0.2, 0.35), r.uniform(0.15, 0.3), r.uniform(0.2, 0.5)], accent(r), { at: [-L * 0.3, W * 0.2, H + 0.2], rotate: [0, 0, r.uniform(0, 1)] });
    if (r.next() < 0.6) m.box([L * 0.85, W * 0.85, 0.04], leg, { at: [0, 0, H * 0.25] });
    return m.build(OBJECT_DIAGONAL);
  },
};

const lamp: ShapeFamily = {
  name: 'lamp',
  build(r, s) {
    const m = new MeshBuilder();
    const base = tone(r, s, 0, [0.2, 0.5], [0.25, 0.5]);
    m.cylinder(r.uniform(0.3, 0.45), 0.08, base, { at: [0, 0, 0.04] });
    const a1 = r.uniform(0.9, 1.3) * s.stretch;
    const tilt1 = r.uniform(0.1, 0.4);
    m.cylinder(0.035, a1, base, { at: [Math.sin(tilt1) * a1 / 2, 0, Math.cos(tilt1) * a1 / 2], rotate: [0, tilt1, 0] });
    const jx = Math.sin(tilt1) * a1;
    const jz = Math.cos(tilt1) * a1;
    m.sphere(0.07, DARK, { at: [jx, 0, jz] });
    const a2 = r.uniform(0.6, 0.9);
    const tilt2 = r.uniform(1.6, 2.2);
    const ex = jx + Math.sin(tilt2) * a2;
    const ez = jz + Math.cos(tilt2) * a2;
    m.cylinder(0.03, a2, base, { at: [(jx + ex) / 2, 0, (jz + ez) / 2], rotate: [0, tilt2, 0] });
    m.cone(r.uniform(0.25, 0.35), r.uniform(0.35, 0.5), tone(r, s, 0.5), { at: [ex + 0.05, 0, ez - 0.15], rotate: [0, Math.PI - 0.5, 0] });
    m.sphere(0.1, [1, 0.95, 0.7], { at: [ex + 0.1, 0, ez - 0.25] });
    return m.build(OBJECT_DIAGONAL);
  },
};

const car: ShapeFamily = {
  name: 'car',
  build(r, s) {
    const m = new MeshBuilder();
    const L = r.uniform(1.8, 2.4) * s.stretch;
    const W = r.uniform(0.85, 1.05);
    const H = r.uniform(0.3, 0.45);
    const paint = tone(r, s, 0, [0.55, 0.9], [0.5, 0.95]);
    m.box([L, W, H], paint, { at: [0, 0, 0.3 + H / 2] });
    const cabL = L * r.uniform(0.4, 0.55);
    m.box([cabL, W * 0.85, r.uniform(0.3, 0.4)], [0.25, 0.3, 0.38], { at: [-L * 0.1, 0, 0.3 + H + 0.16] });
    const wheelR = r.uniform(0.17, 0.23);
    for (const x of [L * 0.32, -L * 0.32]) for (const y of [-1, 1]) m.cylinder(wheelR, 0.14, DARK, { at: [x, (y * W) / 2, 0.3], rotate: [Math.PI / 2, 0, 0] });
    for (const y of [-1, 1]) m.box([0.04, 0.18, 0.1], [1, 0.95, 0.6], { at: [L / 2, y * W * 0.3, 0.3 + H * 0.6] });
    if (r.next() < 0.6) m.box([0.15, W, 0.05], accent(r), { at: [-L / 2 + 0.08, 0, 0.3 + H + 0.2] });
    return m.build(OBJECT_DIAGONAL);
  },
};

const mug: ShapeFamily = {
  name: 'mug',
  build(r, s) {
    const m = new MeshBuilder();
    const R = r.uniform(0.4, 0.55);
    const H = r.uniform(0.8, 1.2) * s.stretch;
    const body = tone(r, s);
    m.frustum(R * r.uniform(0.8, 1), R, H, body, { at: [0, 0, H / 2] }, 20);
    m.cylinder(R * 0.9, 0.02, DARK, { at: [0, 0, H + 0.005] }, 20);
    m.torus(H * 0.3, 0.06, body, { at: [R + 0.02, 0, H / 2], rotate: [Math.PI / 2, 0, 0] }, Math.PI * 1.1 + Math.PI / 2);
    m.box([0.04, R * 0.9, H * 0.35], accent(r), { at: [-R * 0.97, 0, H * r.uniform(0.4, 0.6)] });
    return m.build(OBJECT_DIAGONAL);
  },
};

const bottle: ShapeFamily = {
  name: 'bottle',
  build(r, s) {
    const m = new MeshBuilder();
    const R = r.uniform(0.25, 0.35);
    const H = r.uniform(1.0, 1.4) * s.stretch;
    const glass = tone(r, s, 0, [0.4, 0.8], [0.3, 0.7]);
    m.cylinder(R, H, glass, { at: [0, 0, H / 2] }, 18);
    const sh = r.uniform(0.15, 0.3);
    m.frustum(R, R * 0.35, sh, glass, { at: [0, 0, H + sh / 2] }, 18);
    const neck = r.uniform(0.2, 0.4);
    m.cylinder(R * 0.35, neck, glass, { at: [0, 0, H + sh + neck / 2] }, 12);
    m.cylinder(R * 0.4, 0.08, accent(r), { at: [0, 0, H + sh + neck + 0.04] }, 12);
    m.box([0.06, R * 1.3, H * 0.45], LIGHT, { at: [R * 0.95, 0, H * 0.45] });
    m.box([0.07, R * 0.5, H * 0.12], accent(r), { at: [R * 0.97, R * 0.2, H * 0.55] });
    return m.build(OBJECT_DIAGONAL);
  },
};

const boat: ShapeFamily = {
  name: 'boat',
  build(r, s) {
    const m = new MeshBuilder();
    const L = r.uniform(1.6, 2.2) * s.stretch;
    const W = r.uniform(0.5, 0.7);
    const hull = tone(r, s, 0, [0.5, 0.8], [0.4, 0.8]);
    m.box([L, W, 0.3], hull, { at: [0, 0, 0.15] });
    m.wedge([0.5, W, 0.3], hull, { at: [L / 2, 0, 0] });
    m.box([L * 0.35, W * 0.8, 0.3], LIGHT, { at: [-L * 0.25, 0, 0.45] });
    const mastH = r.uniform(1.0, 1.5);
    m.cylinder(0.03, mastH, DARK, { at: [L * 0.05, 0, 0.3 + mastH / 2] }, 8);
    m.wedge([L * 0.4, 0.02, mastH * 0.85], tone(r, s, 0.5, [0.1, 0.4], [0.85, 1]), { at: [L * 0.07, 0, 0.4] });
    m.box([0.1, 0.1, 0.15], accent(r), { at: [-L / 2 + 0.05, W * 0.3, 0.35] });
    return m.build(OBJECT_DIAGONAL);
  },
};

const guitar: ShapeFamily = {
  name: 'guitar',
  build(r, s) {
    const m = new MeshBuilder();
    const wood = tone(r, s, 0, [0.5, 0.8], [0.45, 0.85]);
    const lower = r.uniform(0.45, 0.55);
    const upper = lower * r.uniform(0.7, 0.85);
    m.ellipsoid([lower, lower, 0.12], wood, { at: [0, 0, 0] });
    m.ellipsoid([upper, upper, 0.12], wood, { at: [lower * 1.2, 0, 0] });
    m.cylinder(upper * 0.35, 0.02, DARK, { at: [lower * 0.9, 0, 0.12] }, 14);
    const neckL = r.uniform(1.0, 1.3) * s.stretch;
    m.box([neckL, 0.14, 0.06], tone(r, s, 0.05, [0.4, 0.6], [0.2, 0.4]), { at: [lower * 1.2 + upper + neckL / 2 - 0.1, 0, 0.1] });
    m.box([0.3, 0.2, 0.05], accent(r), { at: [lower * 1.2 + upper + neckL + 0.02, 0, 0.06], rotate: [0, 0.3, 0] });
    m.box([0.12, 0.3, 0.04], DARK, { at: [-lower * 0.3, 0, 0.12] });
    return m.build(OBJECT_DIAGONAL);
  },
};

const sofa: ShapeFamily = {
  name: 'sofa',
  build(r, s) {
    const m = new MeshBuilder();
    const W = r.uniform(1.6, 2.4) * s.stretch;
    const D = r.uniform(0.8, 1.0);
    const fabric = tone(r, s);
    m.box([D, W, 0.4], fabric, { at: [0, 0, 0.3] });
    m.box([0.25, W, r.uniform(0.5, 0.8)], fabric, { at: [-D / 2 + 0.125, 0, 0.7] });
    const armH = r.uniform(0.3, 0.5);
    m.box([D, 0.2, armH], fabric, { at: [0, W / 2 - 0.1, 0.5 + armH / 2] });
    if (r.next() < 0.7) m.box([D, 0.2, armH * 0.6], fabric, { at: [0, -W / 2 + 0.1, 0.5 + armH * 0.3] });
    for (const [x, y] of [[1, 1], [1, -1], [-1, 1], [-1, -1]] as const) m.cylinder(0.05, 0.1, DARK, { at: [(x * D) / 2.4, (y * W) / 2.4, 0.05] }, 8);
    m.box([0.25, 0.4, 0.35], accent(r), { at: [0, -W * 0.25, 0.67], rotate: [0.3, 0, 0.4] });
    return m.build(OBJECT_DIAGONAL);
  },
};

const teapot: ShapeFamily = {
  name: 'teapot',
  build(r, s) {
    const m = new MeshBuilder();
    const R = r.uniform(0.45, 0.6);
    const china = tone(r, s, 0, [0.2, 0.6], [0.6, 0.95]);
    m.ellipsoid([R, R, R * r.uniform(0.65, 0.85) * s.stretch], china, { at: [0, 0, 0] }, 18, 12);
    m.cone(0.1, r.uniform(0.5, 0.7), china, { at: [R + 0.15, 0, 0.15], rotate: [0, 0.9, 0] }, 10);
    m.torus(R * 0.45, 0.05, china, { at: [-R - 0.05, 0, 0.05], rotate: [Math.PI / 2, 0, 0] }, Math.PI * 1.2 + Math.PI / 2);
    m.cylinder(R * 0.4, 0.08, accent(r), { at: [0, 0, R * 0.75] }, 14);
    m.sphere(0.07, accent(r), { at: [0, 0, R * 0.85] });
    return m.build(OBJECT_DIAGONAL);
  },
};

const bookshelf: ShapeFamily = {
  name: 'bookshelf',
  build(r, s) {
    const m = new MeshBuilder();
    const W = r.uniform(0.9, 1.3);
    const H = r.uniform(1.5, 2.1) * s.stretch;
    const D = 0.4;
    const wood = tone(r, s, 0, [0.3, 0.6], [0.35, 0.7]);
    const trim = accent(r);
    m.box([D, 0.05, H], wood, { at: [0, -W / 2, H / 2] });
    m.box([D, 0.05, H], trim, { at: [0, W / 2, H / 2] });
    // back panel covers only the lower part; a plinth at the bottom and a crown on top break the up/down symmetry
    m.box([0.03, W, H * 0.6], tone(r, s, 0.5, [0.2, 0.5], [0.3, 0.6]), { at: [-D / 2, 0, H * 0.3] });
    m.box([D + 0.1, W + 0.1, 0.12], DARK, { at: [0.03, 0, -0.06] });
    m.box([D + 0.12, W * 0.6, 0.08], trim, { at: [0.04, -W * 0.2, H + 0.04] });
    const shelves = 2 + r.int(3);
    for (let i = 0; i <= shelves; i++) {
      const z = (i / shelves) * (H - 0.05) + 0.025;
      m.box([D, W, 0.05], wood, { at: [0, 0, z] });
      if (i < shelves) {
        const fill = r.uniform(0.3, 0.8);
        const bh = (H / shelves) * r.uniform(0.5, 0.8);
        m.box([D * 0.8, W * fill, bh], accent(r), { at: [0, -W / 2 + (W * fill) / 2 + 0.03, z + bh / 2 + 0.025] });
      }
    }
    return m.build(OBJECT_DIAGONAL);
  },
};

export const SHAPE_FAMILIES: readonly ShapeFamily[] = [airplane, chair, table, lamp, car, mug, bottle, boat, guitar, sofa, teapot, bookshelf];

/** Family and style of class `index`: families cycle; classes sharing a family differ in stretch and hue. */
export function classShape(index: number, rng: Prng): { family: ShapeFamily; style: ClassStyle } {
  const family = SHAPE_FAMILIES[index % SHAPE_FAMILIES.length] as ShapeFamily;
  const round = Math.floor(index / SHAPE_FAMILIES.length);
  const stretch = round === 0 ? 1 : rng.pick([0.6, 0.75, 1.35, 1.6]);
  return { family, style: { stretch, hue: rng.next() } };
}
