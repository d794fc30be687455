import type { LossTermName } from '@equilab/contracts';
import type * as tf from '@tensorflow/tfjs-core';

/**
 * Interfaces between the parts of the ML core: the backbone (backbone/), the methods (methods/), the online
 * evaluator and the trainer (train/). Each part owns its implementation; these shapes are the contract.
 */

/** A tensor held by a module under a stable dotted name (the checkpoint key). */
export interface NamedVariable {
  readonly name: string;
  readonly variable: tf.Variable;
}

export interface Module {
  /** Trainable parameters, in a stable order. */
  parameters(): NamedVariable[];
  /** Non-trainable state (batch-norm running statistics), in a stable order. */
  buffers(): NamedVariable[];
  /** Dispose every variable of the module. */
  dispose(): void;
}

export interface Backbone extends Module {
  /** Width of the representation h (512 at width multiplier 1). */
  readonly outDim: number;
  /**
   * h = backbone(x) for an NHWC float32 batch. In training mode batch norm uses batch statistics and the
   * running statistics are updated (outside any gradient tape: see `updateRunningStats`).
   */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor2D;
}

/** Reference stats keys (spec §4) a method objective may return beside `loss` (contracts `lossTermNames`). */
export type LossTerm = Exclude<LossTermName, 'loss'>;

export interface ObjectiveInputs {
  /** Backbone representations of view 1 and view 2, (B, D). */
  readonly hx: tf.Tensor2D;
  readonly hy: tf.Tensor2D;
  /** Transformation latent, (B, 4) or (B, 6) for RotColor methods. */
  readonly z: tf.Tensor2D;
}

export interface ObjectiveOutput {
  readonly loss: tf.Scalar;
  readonly terms: Partial<Record<LossTerm, tf.Scalar>>;
  /** Projector outputs handed to the online evaluator (SIE: [inv | equi] concatenation), (B, E). */
  readonly embX: tf.Tensor2D;
  readonly embY: tf.Tensor2D;
  /** Predictor output, when the method has a predictor (for `Stats/… predictor output`). */
  readonly prediction?: tf.Tensor2D;
}

/** Feature widths passed to the online evaluator (spec §4 "eval dims"). */
export interface EvalDims {
  readonly invRepr: number;
  readonly equiRepr: number;
  readonly invEmb: number;
  readonly equiEmb: number;
}

/** The heads of one method (projectors, predictor, AugSelf head) and its pure objective. */
export interface MethodModel extends Module {
  readonly method: string;
  readonly latentDim: number;
  readonly evalDims: EvalDims;
  /** Pure function of its inputs and the module's parameters; call inside a gradient tape. */
  objective(inputs: ObjectiveInputs): ObjectiveOutput;
}
