// Schema validation of rendered objects: Kubernetes kinds through kubernetes-models (the OpenAPI schemas of the
// API server), KEDA kinds through @kubernetes-models/keda (KEDA's CRD schemas), plus a strict zod schema for the
// redis scaler's trigger metadata (KEDA's CRD types it as a free string map, so typos would pass unnoticed).
import { z } from 'zod';

const modules = new Map();

async function modelClass(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  let specifier;
  if (group === 'keda.sh' || group === 'eventing.keda.sh')
    specifier = `@kubernetes-models/keda/${group}/${version}`;
  else specifier = group === '' ? `kubernetes-models/${version}` : `kubernetes-models/${group}/${version}`;
  if (!modules.has(specifier))
    modules.set(
      specifier,
      import(specifier).catch(() => null),
    );
  const mod = await modules.get(specifier);
  return mod?.[kind] ?? null;
}

/** Validation errors of one object ([] when valid); an unknown apiVersion/kind is an error too. */
export async function schemaErrors(obj) {
  const name = `${obj?.kind}/${obj?.metadata?.name}`;
  if (typeof obj?.apiVersion !== 'string' || typeof obj?.kind !== 'string')
    return [`${name}: apiVersion and kind are required`];
  const Model = await modelClass(obj.apiVersion, obj.kind);
  if (!Model) return [`${name}: no schema for ${obj.apiVersion} ${obj.kind}`];
  const errors = [];
  // kustomize wraps long base64 values at 70 columns; the API server's base64 decoder skips line breaks, the
  // schema's "byte" format does not: compare the value as the server decodes it.
  const data =
    obj.kind === 'Secret' && obj.data
      ? Object.fromEntries(
          Object.entries(obj.data).map(([k, v]) => [k, typeof v === 'string' ? v.replace(/[\r\n]/g, '') : v]),
        )
      : undefined;
  try {
    new Model(data ? { ...obj, data } : obj).validate();
  } catch (err) {
    errors.push(`${name}: ${err.message}`);
  }
  if (obj.kind === 'ScaledObject') {
    const parsed = scaledObjectUsage.safeParse(obj.spec);
    if (!parsed.success)
      errors.push(...parsed.error.issues.map((i) => `${name}: spec.${i.path.join('.')}: ${i.message}`));
  }
  return errors;
}

const intString = z.string().regex(/^\d+$/, 'must be a whole number as a string');
/** Redis-lists scaler metadata (keda.sh/docs/scalers/redis-lists): only the fields this project may use. */
export const redisTriggerMetadata = z.strictObject({
  address: z
    .string()
    .regex(/^[^\s:]+:\d+$/, 'must be host:port')
    .optional(),
  listName: z.string().min(1),
  listLength: intString,
  activationListLength: intString.optional(),
  databaseIndex: intString.optional(),
  enableTLS: z.enum(['true', 'false']).optional(),
  unsafeSsl: z.enum(['true', 'false']).optional(),
});
export const scaledObjectUsage = z.object({
  scaleTargetRef: z.object({ name: z.string().min(1), kind: z.literal('Deployment').optional() }),
  minReplicaCount: z.number().int().min(0),
  maxReplicaCount: z.number().int().min(1),
  triggers: z
    .array(
      z
        .strictObject({
          type: z.literal('redis'),
          name: z.string().min(1).optional(),
          metadata: redisTriggerMetadata,
          authenticationRef: z.strictObject({ name: z.string().min(1) }).optional(),
        })
        .refine((t) => t.metadata.address !== undefined || t.authenticationRef !== undefined, {
          message: 'a redis trigger needs metadata.address or an authenticationRef',
        }),
    )
    .min(1),
});
