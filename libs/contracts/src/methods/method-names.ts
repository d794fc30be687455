import { z } from 'zod';

/** The pretraining methods, named as the reference's `--experience` values. */
export const methodNames = [
  'SIE',
  'SIENoVar',
  'SIERotColor',
  'SIEOnlyEqui',
  'VICReg',
  'VICRegPartInv',
  'VICRegEquiMod',
  'SimCLR',
  'SimCLRAugSelf',
  'SimCLRAugSelfRotColor',
  'SimCLROnlyEqui',
  'SimCLROnlyEquiRotColor',
  'SimCLREquiMod',
  'SimCLREquiModRotColor',
] as const;

export type MethodName = (typeof methodNames)[number];

export const methodNameSchema = z.enum(methodNames);

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && (methodNames as readonly string[]).includes(name);
}
