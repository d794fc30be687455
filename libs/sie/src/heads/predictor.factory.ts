import { parseWidths } from '@equilab/contracts';
import { HypernetworkPredictor } from './hypernetwork.predictor';
import { MlpPredictor } from './mlp.predictor';
import type { PredictorHead } from './predictor.head';
import type { SeedStream } from './seed.stream';

/** The predictor options of a method config (reference names). */
export interface PredictorConfig {
  readonly predictor_type: 'hypernetwork' | 'mlp';
  readonly hypernetwork: 'linear' | 'deep';
  readonly predictor: string;
  readonly predictor_relu: boolean;
  readonly bias_pred: boolean;
  readonly bias_hypernet: boolean;
  readonly tf_num_layers: number;
}

/** The predictor head named `predictor` (checkpoint keys `predictor.…`) on E-wide embeddings. */
export function createPredictor(
  config: PredictorConfig,
  embDim: number,
  latentDim: number,
  seeds: SeedStream,
): PredictorHead {
  if (config.predictor_type === 'mlp')
    return new MlpPredictor('predictor', embDim, latentDim, config.tf_num_layers, seeds);
  return new HypernetworkPredictor(
    'predictor',
    embDim,
    latentDim,
    {
      hypernetwork: config.hypernetwork,
      hidden: parseWidths(config.predictor),
      predictorRelu: config.predictor_relu,
      biasPred: config.bias_pred,
      biasHypernet: config.bias_hypernet,
    },
    seeds,
  );
}
