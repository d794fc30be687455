import { Prng, deriveSeed } from '../random/prng';
import { classShape } from './shape-families';
import type { Mesh } from './mesh.builder';

/**
 * Everything the generator draws at random, each from its own stream derived from (seed, purpose, indices), so
 * an object's mesh, ids and latents do not depend on the order or the thread in which objects are rendered.
 */
const STREAM = { synsets: 1, classStyle: 2, object: 3, objectId: 4, latents: 5, split: 6, order: 7 } as const;

/** `count` distinct sorted 8-digit synset-like ids (sorted order = label). */
export function synsetIds(seed: number, count: number): string[] {
  const rng = new Prng(deriveSeed(seed, STREAM.synsets));
  const ids = new Set<string>();
  while (ids.size < count) ids.add(String(2000000 + rng.int(2999999)).padStart(8, '0'));
  return [...ids].sort();
}

/** 32-hex-digit object id, like ShapeNet's. */
export function objectId(seed: number, classIndex: number, objectIndex: number): string {
  const rng = new Prng(deriveSeed(seed, STREAM.objectId, classIndex, objectIndex));
  return Array.from({ length: 4 }, () => rng.uint32().toString(16).padStart(8, '0')).join('');
}

export function objectMesh(seed: number, classIndex: number, objectIndex: number): { mesh: Mesh; family: string } {
  const { family, style } = classShape(classIndex, new Prng(deriveSeed(seed, STREAM.classStyle, classIndex)));
  const mesh = family.build(new Prng(deriveSeed(seed, STREAM.object, classIndex, objectIndex)), style);
  return { mesh, family: family.name };
}

/**
 * The 7 latents of every view (spec §1.1): Euler x, y, z ∈ [−π/2, π/2], floor hue ∈ [0, 1],
 * spot θ ∈ [0, π/4], spot φ ∈ [0, 2π], spot hue ∈ [0, 1] — all uniform, independent per view.
 */
export function viewLatents(seed: number, classIndex: number, objectIndex: number, views: number): Float64Array[] {
  const rng = new Prng(deriveSeed(seed, STREAM.latents, classIndex, objectIndex));
  return Array.from({ length: views }, () =>
    Float64Array.from([
      rng.uniform(-Math.PI / 2, Math.PI / 2),
      rng.uniform(-Math.PI / 2, Math.PI / 2),
      rng.uniform(-Math.PI / 2, Math.PI / 2),
      rng.next(),
      rng.uniform(0, Math.PI / 4),
      rng.uniform(0, 2 * Math.PI),
      rng.next(),
    ]),
  );
}

export interface SplitPlan {
  train: { path: string; label: number }[];
  val: { path: string; label: number }[];
}

/** ≈ trainFraction of each class in train (at least one object in val when a class has ≥ 2), shuffled order. */
export function splitPlan(seed: number, synsets: readonly string[], objectsPerClass: number, trainFraction: number): SplitPlan {
  const plan: SplitPlan = { train: [], val: [] };
  synsets.forEach((synset, label) => {
    const order = new Prng(deriveSeed(seed, STREAM.split, label)).shuffle(Array.from({ length: objectsPerClass }, (_, i) => i));
    const nTrain = objectsPerClass < 2 ? objectsPerClass : Math.min(objectsPerClass - 1, Math.max(1, Math.round(objectsPerClass * trainFraction)));
    order.forEach((objectIndex, k) => {
      const entry = { path: `/${synset}/${objectId(seed, label, objectIndex)}/`, label };
      (k < nTrain ? plan.train : plan.val).push(entry);
    });
  });
  new Prng(deriveSeed(seed, STREAM.order, 0)).shuffle(plan.train);
  new Prng(deriveSeed(seed, STREAM.order, 1)).shuffle(plan.val);
  return plan;
}
