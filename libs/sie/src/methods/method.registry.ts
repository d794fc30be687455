import '../backend/register-gradients';
import { methodCatalogue, type MethodHeads, type MethodInfo, type MethodName, type MethodOptions } from '@equilab/contracts';
import type { MethodModel } from '../types';
import { methodBuildContext, type MethodBuildContext } from './method.context';
import { SieMethod, SieOnlyEquiMethod } from './sie.method';
import { SimclrAugSelfMethod, SimclrEquiModMethod, SimclrMethod, SimclrOnlyEquiMethod } from './simclr.method';
import { VicregEquiModMethod, VicregMethod } from './vicreg.method';

type MethodBuilder = (ctx: MethodBuildContext) => MethodModel;
type MethodFamily = MethodInfo['family'];

/**
 * The one table of method models: family × head layout (contracts `methodCatalogue[name].family` / `.heads`)
 * → the family's model on that layout. Variants within a model are flags of the catalogue, not names.
 */
export const methodModels: Readonly<Record<MethodFamily, Partial<Record<MethodHeads, MethodBuilder>>>> = {
  sie: { split: (c) => new SieMethod(c), 'equi-projector': (c) => new SieOnlyEquiMethod(c) },
  vicreg: { projector: (c) => new VicregMethod(c), equimod: (c) => new VicregEquiModMethod(c) },
  simclr: {
    projector: (c) => new SimclrMethod(c),
    augself: (c) => new SimclrAugSelfMethod(c),
    'equi-projector': (c) => new SimclrOnlyEquiMethod(c),
    equimod: (c) => new SimclrEquiModMethod(c),
  },
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
  const { family, heads } = methodCatalogue[method];
  const build = methodModels[family][heads];
  if (!build) throw new Error(`${method}: no ${family} model on ${heads} heads`);
  return build(methodBuildContext(method, options, reprSize, seed));
}
