import * as tf from '@tensorflow/tfjs-core';
import { HeadsMethodModel } from '../methods/method.context';
import type { PredictorHead } from '../heads/predictor.head';
import type { SequentialHead } from '../heads/sequential.head';
import type { MethodModel } from '../types';

/**
 * The equivariant projector + predictor of a method (spec §7.4): r = last k dims of h (SIE: k = e; the others:
 * the whole representation), emb = p_eq(r) in eval mode, ŷ = Pred(emb, z). Null for methods without a
 * predictor (VICReg, SimCLR, AugSelf…): their PRE/MRR/H@k are "not applicable".
 */
export interface EquivariantPath {
  readonly inputDims: number;
  readonly projector: SequentialHead;
  readonly predictor: PredictorHead;
  /** emb = p_eq(h[:, −k:]) (eval mode). */
  embed(h: tf.Tensor2D): tf.Tensor2D;
}

function path(projector: SequentialHead, predictor: PredictorHead, inputDims: number): EquivariantPath {
  return {
    inputDims,
    projector,
    predictor,
    embed: (h) =>
      tf.tidy(() => {
        const d = h.shape[1];
        if (d < inputDims) throw new Error(`equivariant path: representation width ${d} < ${inputDims}`);
        return projector.apply(d === inputDims ? h : tf.slice(h, [0, d - inputDims], [-1, inputDims]), false);
      }),
  };
}

export function equivariantPath(model: MethodModel): EquivariantPath | null {
  const heads = model instanceof HeadsMethodModel ? model.equivariant : null;
  return heads ? path(heads.projector, heads.predictor, heads.inputDims) : null;
}
