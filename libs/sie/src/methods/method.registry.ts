import '../backend/register-gradients';
import type { MethodName, MethodOptions } from '@equilab/contracts';
import type { MethodModel } from '../types';
import { methodBuildContext, type MethodBuildContext } from './method.context';
import { SieMethod, SieOnlyEquiMethod } from './sie.method';
import {
  SimclrAugSelfMethod,
  SimclrEquiModMethod,
  SimclrMethod,
  SimclrOnlyEquiMethod,
} from './simclr.method';
import { VicregEquiModMethod, VicregMethod } from './vicreg.method';

type MethodBuilder = (ctx: MethodBuildContext) => MethodModel;

/** Method name → builder of its heads and objective (the trainer knows nothing about any single method). */
export const methodRegistry: Readonly<Record<MethodName, MethodBuilder>> = {
  SIE: (c) => new SieMethod(c),
  SIENoVar: (c) => new SieMethod(c),
  SIERotColor: (c) => new SieMethod(c),
  SIEOnlyEqui: (c) => new SieOnlyEquiMethod(c),
  VICReg: (c) => new VicregMethod(c),
  VICRegPartInv: (c) => new VicregMethod(c),
  VICRegEquiMod: (c) => new VicregEquiModMethod(c),
  SimCLR: (c) => new SimclrMethod(c),
  SimCLRAugSelf: (c) => new SimclrAugSelfMethod(c),
  SimCLRAugSelfRotColor: (c) => new SimclrAugSelfMethod(c),
  SimCLROnlyEqui: (c) => new SimclrOnlyEquiMethod(c),
  SimCLROnlyEquiRotColor: (c) => new SimclrOnlyEquiMethod(c),
  SimCLREquiMod: (c) => new SimclrEquiModMethod(c),
  SimCLREquiModRotColor: (c) => new SimclrEquiModMethod(c),
};

/**
 * Builds a method's heads and objective on representations of width `reprSize`, initialised from `seed`. The
 * options are already parsed (a run's `MethodRun.config`, or the options of a golden case): nothing is
 * validated again here beyond what only the representation width can tell (e.g. SIE's `equi` < reprSize).
 */
export function buildMethod(
  method: MethodName,
  options: Partial<MethodOptions>,
  reprSize: number,
  seed: number,
): MethodModel {
  return methodRegistry[method](methodBuildContext(method, options, reprSize, seed));
}
