import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level (the same config always gives the same text). */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * A run's replicate group (contracts `runSchema.groupKey`): 16 hex digits of the SHA-256 of the canonical JSON of
 * its method, its config without `seed` and, for a run started from weights (`initWeights`), the weights artifact
 * it starts from. Runs that differ only in their seed share it, whichever sweep (or none) made them; a run
 * initialised from weights never groups with seeded-init runs of the same config (nor with runs started from
 * other weights). Seeded-init runs keep the key they always had.
 */
export function replicateGroupKey(method: string, config: Record<string, unknown>, initWeightsArtifactId: string | null = null): string {
  const rest: Record<string, unknown> = {};
  for (const key of Object.keys(config)) if (key !== 'seed') rest[key] = config[key];
  const identity = initWeightsArtifactId === null ? { method, config: rest } : { method, config: rest, initWeights: initWeightsArtifactId };
  return createHash('sha256').update(canonicalJson(identity)).digest('hex').slice(0, 16);
}
