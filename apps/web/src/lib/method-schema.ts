import { methodConfigSchemas, methodDefaults as contractDefaults, methodNames as contractNames, isMethodName } from '@equilab/contracts';
import { z } from 'zod';
import { getPath } from './format';

/** The method config schemas of `@equilab/contracts` (fields, `.describe()` help texts and defaults). */
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
  return [...contractNames];
}

export function methodSchema(method: string): z.ZodType | undefined {
  return isMethodName(method) ? methodConfigSchemas[method] : undefined;
}

/** The method's fully resolved default config. */
export function methodDefaults(method: string): Record<string, unknown> {
  return isMethodName(method) ? contractDefaults(method) : {};
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
