import { PairLoader } from '@equilab/data';
import type { LatentMode } from '@equilab/contracts';
import type { BatchSource, TrainBatch } from './train.types';

export interface PairLoaderSourceOptions {
  readonly dataRoot: string;
  readonly batchSize: number;
  readonly resolution: number;
  readonly latentMode: LatentMode;
  readonly seed: number;
  readonly workers: number;
  readonly split?: 'train' | 'val';
}

/**
 * The trainer's view of `@equilab/data`'s PairLoader: epochs of shuffled batches, reproducible per (seed, epoch)
 * whatever the worker count; a mid-epoch resume starts at batch `startStep` of the same plan.
 */
export class PairLoaderSource implements BatchSource {
  private constructor(private readonly loader: PairLoader) {}

  static async open(options: PairLoaderSourceOptions): Promise<PairLoaderSource> {
    const split = options.split ?? 'train';
    const files = {
      root: options.dataRoot,
      imagesFile: `${options.dataRoot}/${split}_images.npy`,
      labelsFile: `${options.dataRoot}/${split}_labels.npy`,
      resolution: options.resolution,
      latentMode: options.latentMode,
      batchSize: options.batchSize,
    };
    // A first look at the split's size (no workers), then the loader itself.
    const probe = await PairLoader.open({ ...files, workers: 0 });
    const objects = probe.dataset.length;
    await probe.close();
    if (objects < 2) throw new Error(`data: the ${split} split of ${options.dataRoot} has ${objects} object(s); training needs at least 2`);
    const loader = await PairLoader.open({
      ...files,
      workers: options.workers,
      seed: options.seed,
      shuffle: true,
      // A last batch of one object breaks batch statistics (unbiased variance of one sample): drop only that.
      dropLast: objects % options.batchSize === 1,
    });
    return new PairLoaderSource(loader);
  }

  get stepsPerEpoch(): number {
    return this.loader.batchesPerEpoch;
  }

  get numClasses(): number {
    return this.loader.dataset.numClasses;
  }

  get objects(): number {
    return this.loader.dataset.length;
  }

  async *batches(epoch: number, startStep: number): AsyncGenerator<TrainBatch> {
    const epochWithStart = this.loader.epoch.bind(this.loader) as (epoch: number, startBatch?: number) => AsyncGenerator<import('@equilab/data').PairBatch>;
    for await (const batch of epochWithStart(epoch, startStep)) {
      // Loaders without a start offset yield the whole epoch: skip what was trained before the checkpoint.
      if (batch.batchIndex < startStep) continue;
      yield {
        size: batch.shape.batch,
        resolution: batch.shape.height,
        x1: batch.x1,
        x2: batch.x2,
        latents: batch.latents,
        latentDim: batch.shape.latent,
        labels: batch.labels,
      };
    }
  }

  async close(): Promise<void> {
    await this.loader.close();
  }
}
