import '../backend/register-gradients';
import type { MethodName, MethodOptions } from '@equilab/contracts';
import type { MethodModel } from '../types';
import { methodBuildContext, type MethodBuildContext } from './method.context';
import { SieObjective, SieOnlyEquiObjective } from './sie.objective';
import {
  SimclrAugSelfObjective,
  SimclrEquiModObjective,
  SimclrObjective,
  SimclrOnlyEquiObjective,
} from './simclr.objective';
import { VicregEquiModObjective, VicregObjective } from './vicreg.objective';

type MethodBuilder = (ctx: MethodBuildContext) => MethodModel;

/** Method name → builder of its heads and objective (the trainer knows nothing about any single method). */
export const methodRegistry: Readonly<Record<MethodName, MethodBuilder>> = {
  SIE: (c) => new SieObjective(c),
  SIENoVar: (c) => new SieObjective(c),
  SIERotColor: (c) => new SieObjective(c),
  SIEOnlyEqui: (c) => new SieOnlyEquiObjective(c),
  VICReg: (c) => new VicregObjective(c),
  VICRegPartInv: (c) => new VicregObjective(c),
  VICRegEquiMod: (c) => new VicregEquiModObjective(c),
  SimCLR: (c) => new SimclrObjective(c),
  SimCLRAugSelf: (c) => new SimclrAugSelfObjective(c),
  SimCLRAugSelfRotColor: (c) => new SimclrAugSelfObjective(c),
  SimCLROnlyEqui: (c) => new SimclrOnlyEquiObjective(c),
  SimCLROnlyEquiRotColor: (c) => new SimclrOnlyEquiObjective(c),
  SimCLREquiMod: (c) => new SimclrEquiModObjective(c),
  SimCLREquiModRotColor: (c) => new SimclrEquiModObjective(c),
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
