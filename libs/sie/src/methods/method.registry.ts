import '../backend/register-gradients';
import {
  isMethodName,
  methodNames,
  parseMethodConfig,
  MethodConfigError,
  type MethodName,
} from '@equilab/contracts';
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
 * Builds a method's heads (initialised from `config.seed`) on a backbone of width `reprSize`. `config` is
 * validated with the method's contracts schema (defaults applied); a bad method or field throws
 * MethodConfigError naming it.
 */
export function buildMethod(name: string, config: unknown, reprSize: number): MethodModel {
  if (!isMethodName(name))
    throw new MethodConfigError(name, [
      { path: ['method'], message: `unknown method; expected one of ${methodNames.join(', ')}` },
    ]);
  const parsed = parseMethodConfig(name, config);
  return methodRegistry[name](methodBuildContext(name, parsed, reprSize));
}
