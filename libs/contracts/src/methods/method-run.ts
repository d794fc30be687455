import { z } from 'zod';
import { methodNames, type MethodName } from './method-names';
import { methodConfigSchemas, type MethodConfig, type MethodConfigInput } from './method-config.schemas';
import { MethodConfigError, safeParseMethodConfig } from './method-config.parse';

/**
 * A method and its resolved config, discriminated by `method`: what crosses a process boundary (the pretrain
 * job, the training child's start message) and what the trainer takes. Narrowing on `method` types `config`.
 */
export type MethodRun = { [N in MethodName]: { readonly method: N; readonly config: MethodConfig<N> } }[MethodName];
export type MethodRunInput = {
  [N in MethodName]: { readonly method: N; readonly config?: MethodConfigInput<N> };
}[MethodName];

function methodRunVariant<N extends MethodName>(name: N) {
  return z.object({ method: z.literal(name), config: methodConfigSchemas[name] });
}

/** `{ method, config }` parsed with the method's own config schema (defaults applied, unknown keys rejected). */
export const methodRunSchema = z.discriminatedUnion(
  'method',
  methodNames.map(methodRunVariant) as unknown as [
    ReturnType<typeof methodRunVariant<'SIE'>>,
    ...ReturnType<typeof methodRunVariant<MethodName>>[],
  ],
) as unknown as z.ZodType<MethodRun, MethodRunInput>;

/** The MethodRun of `method` with `overrides`; throws MethodConfigError naming the method or the fields. */
export function parseMethodRun(method: string, overrides?: unknown): MethodRun {
  const result = safeParseMethodConfig(method, overrides);
  if (!result.success) throw new MethodConfigError(method, result.issues);
  // safeParseMethodConfig validated `method` and parsed `config` with that method's schema.
  return { method, config: result.data } as MethodRun;
}
