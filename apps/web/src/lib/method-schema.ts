import * as contracts from '@equilab/contracts';
import { z } from 'zod';
import { getPath } from './format';

/**
 * The method config schemas come from `@equilab/contracts` (`methodNames`, `methodConfigSchemas`,
 * `methodDefaults`). They are read defensively so the dashboard builds and shows a clear state while a
 * contracts build without them is installed.
 */
const registry = contracts as unknown as {
  methodNames?: readonly string[];
  methodConfigSchemas?: Record<string, z.ZodType>;
  methodDefaults?: Record<string, unknown>;
};

export type FieldKind = 'number' | 'integer' | 'boolean' | 'enum' | 'string' | 'json';

export interface FieldSpec {
  /** Dotted config path, e.g. `optimizer.lr`. */
  path: string;
  kind: FieldKind;
  description: string | undefined;
  defaultValue: unknown;
  options: readonly unknown[] | undefined;
  minimum: number | undefined;
  maximum: number | undefined;
  exclusiveMinimum: number | undefined;
}

export function methodNames(): string[] {
  if (registry.methodNames && registry.methodNames.length > 0) return [...registry.methodNames];
  return Object.keys(registry.methodConfigSchemas ?? {});
}

export function methodSchema(method: string): z.ZodType | undefined {
  return registry.methodConfigSchemas?.[method];
}

/** The method's fully resolved default config. */
export function methodDefaults(method: string): Record<string, unknown> {
  const declared = registry.methodDefaults?.[method];
  if (declared && typeof declared === 'object') return declared as Record<string, unknown>;
  const schema = methodSchema(method);
  const parsed = schema?.safeParse({});
  return parsed?.success && parsed.data && typeof parsed.data === 'object' ? (parsed.data as Record<string, unknown>) : {};
}

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
};

const SAFE = 9007199254740991;

function kindOf(node: JsonSchema): FieldKind {
  if (node.enum) return 'enum';
  const type = Array.isArray(node.type) ? node.type.find((t) => t !== 'null') : node.type;
  if (type === 'number') return 'number';
  if (type === 'integer') return 'integer';
  if (type === 'boolean') return 'boolean';
  if (type === 'string') return 'string';
  return 'json';
}

/** Leaf fields of a method's config schema, with help text and defaults, in declaration order. */
export function methodFields(method: string): FieldSpec[] {
  const schema = methodSchema(method);
  if (!schema) return [];
  let root: JsonSchema;
  try {
    root = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  } catch {
    return [];
  }
  const defaults = methodDefaults(method);
  const fields: FieldSpec[] = [];
  const walk = (node: JsonSchema, prefix: string, parentDescription?: string) => {
    const variants = node.anyOf ?? node.oneOf;
    if (!node.properties && variants) {
      const nonNull = variants.filter((v) => v.type !== 'null');
      if (nonNull.length === 1 && nonNull[0]) return walk({ ...nonNull[0], description: node.description ?? nonNull[0].description }, prefix, parentDescription);
    }
    if (node.properties) {
      for (const [key, child] of Object.entries(node.properties)) walk(child, prefix ? `${prefix}.${key}` : key, node.description);
      return;
    }
    if (!prefix) return;
    const fromDefaults = getPath(defaults, prefix);
    fields.push({
      path: prefix,
      kind: kindOf(node),
      description: node.description ?? parentDescription,
      defaultValue: fromDefaults !== undefined ? fromDefaults : node.default,
      options: node.enum,
      minimum: node.minimum !== undefined && Math.abs(node.minimum) < SAFE ? node.minimum : undefined,
      maximum: node.maximum !== undefined && Math.abs(node.maximum) < SAFE ? node.maximum : undefined,
      exclusiveMinimum: node.exclusiveMinimum,
    });
  };
  walk(root, '');
  return fields;
}
