import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { pairLoaderOptionsSchema, type PairLoaderOptions, type ResolvedPairLoaderOptions } from '@equilab/contracts';
import { DataError } from '../data.error';
import { parseDataOptions } from '../data.options';
import { PairDataset } from '../dataset/pair.dataset';
import { Prng, deriveSeed } from '../random/prng';
import { buildPairBatch, reviveError, type PairBatch } from './pair.batch';
import type { BatchReply, BatchRequest } from './loader.worker';

interface PoolWorker {
  worker: Worker;
  /** Set when the thread died: later requests fail at once instead of waiting forever. */
  failure?: Error;
  outstanding: Map<number, { resolve: (batch: PairBatch) => void; reject: (error: Error) => void }>;
}

export interface LoaderStats {
  /** Items skipped because of unreadable images/latents (only with `skipBad`). */
  badItems: number;
  /** "file: reason" of the skipped items (first 100). */
  badFiles: string[];
}

/**
 * Batches of view pairs over a 3DIEBench split. An epoch visits every object once in an order shuffled by
 * (seed, epoch); views are drawn per (seed, epoch, object), so batches are identical for any worker count.
 * Up to `prefetch` batches are decoded ahead — on `workers` worker_threads (batch b on worker b mod W), or in the
 * calling thread with workers = 0 (sharp still decodes on the libuv pool). Call `close()` when done.
 */
export class PairLoader implements AsyncIterable<PairBatch> {
  readonly stats: LoaderStats = { badItems: 0, badFiles: [] };
  private readonly pool: PoolWorker[];
  private nextEpoch = 0;
  private nextRequest = 0;
  private closed = false;

  private constructor(
    readonly dataset: PairDataset,
    readonly options: ResolvedPairLoaderOptions,
  ) {
    this.pool = Array.from({ length: options.workers }, () => this.spawn());
  }

  static async open(input: PairLoaderOptions): Promise<PairLoader> {
    const options = parseDataOptions(pairLoaderOptionsSchema, input);
    const dataset = await PairDataset.open(options);
    return new PairLoader(dataset, options);
  }

  get batchesPerEpoch(): number {
    const n = this.dataset.length / this.options.batchSize;
    return this.options.dropLast ? Math.floor(n) : Math.ceil(n);
  }

  /** Object indices of every batch of `epoch`, in order. */
  plan(epoch: number): number[][] {
    const order = Array.from({ length: this.dataset.length }, (_, i) => i);
    if (this.options.shuffle) new Prng(deriveSeed(this.options.seed, 0x04de7, epoch)).shuffle(order);
    const batches: number[][] = [];
    for (let start = 0; start < order.length; start += this.options.batchSize) {
      const batch = order.slice(start, start + this.options.batchSize);
      if (batch.length < this.options.batchSize && this.options.dropLast) break;
      batches.push(batch);
    }
    return batches;
  }

  [Symbol.asyncIterator](): AsyncIterator<PairBatch> {
    return this.epoch(this.nextEpoch++);
  }

  /**
   * Iterate the batches of one epoch, from batch `startBatch` on (to resume mid-epoch: the skipped batches are
   * not decoded, and the remaining ones are the same as in a full pass).
   */
  async *epoch(epoch: number, startBatch = 0): AsyncGenerator<PairBatch> {
    if (this.closed) throw new DataError('INVALID_OPTION', 'loader', 'loader is closed');
    if (!Number.isInteger(startBatch) || startBatch < 0) throw new DataError('INVALID_OPTION', 'startBatch', `must be a non-negative integer, got ${startBatch}`);
    const plan = this.plan(epoch);
    const pending = new Map<number, Promise<PairBatch>>();
    let sent = startBatch;
    for (let next = startBatch; next < plan.length; next++) {
      while (sent < plan.length && sent - next < this.options.prefetch) {
        const promise = this.request(plan[sent] as number[], epoch, sent);
        promise.catch(() => undefined); // awaited in order below; avoid unhandled rejections meanwhile
        pending.set(sent, promise);
        sent++;
      }
      const batch = await (pending.get(next) as Promise<PairBatch>);
      pending.delete(next);
      if (batch.skipped.length > 0) {
        this.stats.badItems += batch.skipped.length;
        for (const s of batch.skipped) if (this.stats.badFiles.length < 100) this.stats.badFiles.push(s);
      }
      yield batch;
    }
  }

  private request(indices: number[], epoch: number, batchIndex: number): Promise<PairBatch> {
    const { seed, skipBad } = this.options;
    if (this.pool.length === 0) return buildPairBatch(this.dataset, indices, seed, epoch, batchIndex, skipBad);
    const entry = this.pool[batchIndex % this.pool.length] as PoolWorker;
    if (entry.failure) return Promise.reject(entry.failure);
    const id = this.nextRequest++;
    return new Promise<PairBatch>((resolve, reject) => {
      entry.outstanding.set(id, { resolve, reject });
      entry.worker.ref(); // keep the process alive only while work is outstanding
      entry.worker.postMessage({ id, indices, seed, epoch, batchIndex, skipBad } satisfies BatchRequest);
    });
  }

  private spawn(): PoolWorker {
    const workerData = {
      root: this.dataset.root,
      imagesFile: this.options.imagesFile,
      labelsFile: this.options.labelsFile,
      views: this.dataset.views,
      numClasses: this.dataset.numClasses,
      resolution: this.options.resolution,
      latentMode: this.options.latentMode,
    };
    const worker = new Worker(path.join(__dirname, 'loader.worker.js'), { workerData });
    worker.unref();
    const entry: PoolWorker = { worker, outstanding: new Map() };
    const settle = () => {
      if (entry.outstanding.size === 0) worker.unref();
    };
    worker.on('message', (reply: BatchReply) => {
      const waiter = entry.outstanding.get(reply.id);
      if (!waiter) return;
      entry.outstanding.delete(reply.id);
      settle();
      if ('batch' in reply) waiter.resolve(reply.batch);
      else waiter.reject(reviveError(reply.error));
    });
    const failAll = (error: Error) => {
      entry.failure ??= error;
      for (const waiter of entry.outstanding.values()) waiter.reject(error);
      entry.outstanding.clear();
      settle();
    };
    worker.on('error', (error) => failAll(new DataError('WORKER_FAILED', 'loader worker', error.message)));
    worker.on('exit', (code) => {
      if (!this.closed) failAll(new DataError('WORKER_FAILED', 'loader worker', `exited with code ${code}`));
    });
    return entry;
  }

  /** Stop the worker threads; batches still being decoded are dropped. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(
      this.pool.map(async (entry) => {
        for (const waiter of entry.outstanding.values()) waiter.reject(new DataError('INVALID_OPTION', 'loader', 'loader was closed'));
        entry.outstanding.clear();
        await entry.worker.terminate();
      }),
    );
  }
}
