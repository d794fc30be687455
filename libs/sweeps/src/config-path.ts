import { MAX_JSON_DEPTH } from '@equilab/contracts';
import { SweepError } from './sweep-error';

/** A run config (or a part of one): a JSON object. */
export type ConfigObject = Record<string, unknown>;

/**
 * Segments a dotted config path may not contain: writing through them reaches `Object.prototype` (prototype
 * pollution: `"__proto__.x"` would give every object of the process an `x`).
 */
export const FORBIDDEN_PATH_SEGMENTS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export function isConfigObject(value: unknown): value is ConfigObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The segments of a dotted config path (`optimizer.lr` → `optimizer`, `lr`). A SweepError naming `field` when a
 * segment is empty or forbidden, or the path is deeper than MAX_JSON_DEPTH.
 */
export function configPathSegments(path: string, field: string = path): string[] {
  const segments = path.split('.');
  if (segments.length > MAX_JSON_DEPTH) throw SweepError.field(field, `a config path has at most ${MAX_JSON_DEPTH} segments, got ${segments.length}`);
  for (const segment of segments) {
    if (segment === '') throw SweepError.field(field, `"${path}" has an empty segment`);
    if (FORBIDDEN_PATH_SEGMENTS.has(segment)) throw SweepError.field(field, `"${segment}" may not be part of a config path`);
  }
  return segments;
}

/** A shallow copy of `node` (when it is an object) into an object without a prototype. */
function copyNode(node: unknown): ConfigObject {
  const copy = Object.create(null) as ConfigObject;
  if (isConfigObject(node)) for (const key of Object.keys(node)) copy[key] = node[key];
  return copy;
}

/**
 * A copy of `config` with `value` at the dotted `path`; missing or non-object intermediate fields become objects.
 * Only the objects along the path are copied (into objects without a prototype); `config` is not changed.
 * `field` names the request field in errors (default: the path).
 */
export function setPath(config: ConfigObject, path: string, value: unknown, field: string = path): ConfigObject {
  const segments = configPathSegments(path, field);
  const root = copyNode(config);
  let node = root;
  for (const segment of segments.slice(0, -1)) {
    const child = copyNode(Object.hasOwn(node, segment) ? node[segment] : undefined);
    node[segment] = child;
    node = child;
  }
  node[segments[segments.length - 1]!] = value;
  return root;
}

/** The own property `key` of `record`, never one inherited through the prototype chain. */
export function ownEntry<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}
