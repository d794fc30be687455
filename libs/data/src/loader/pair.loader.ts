import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { pairLoaderOptionsSchema, type PairLoaderOptions, type ResolvedPairLoaderOptions } from '@equilab/contracts';
import { DataError } from '../data.error';
import { parseDataOptions } from '../data.options';
import { PairDataset } from '../dataset/pair.dataset';
import { Prng, deriveSeed } from '../random/prng';
import { buildPairBatch, reviveError, type PairBatch } from './pair.batch';
import type { BatchReply, BatchRequest, LoaderWorkerData } from './loader.worker';

/**
 * Loader worker threads when `workers` is not given: one per core the process may use, at most 8. Each decodes
 * every image of its batch concurrently on libuv's pool, which the whole process shares: its size
 * (UV_THREADPOOL_SIZE, 4 by default, read when the pool first starts) bounds the decodes in flight, so a process
 * on more than 4 cores should set it at start-up. (Serialising decodes per worker, to keep one worker on one
 * core, was measured: it cost 15–40 % more CPU time per image and halved the images/s.)
 */
export function defaultLoaderWorkers(): number {
  return Math.min(8, os.availableParallelism());
}

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
    readonly options: ResolvedPairLoaderOptions & { workers: number },
  ) {
    this.pool = Array.from({ length: options.workers }, () => this.spawn());
  }

  static async open(input: PairLoaderOptions): Promise<PairLoader> {
    const parsed = parseDataOptions(pairLoaderOptionsSchema, input);
    const options = { ...parsed, workers: parsed.workers ?? defaultLoaderWorkers() };
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
    const workerData: LoaderWorkerData = {
      root: this.dataset.root,
      imagesFile: this.options.imagesFile,
      labelsFile: this.options.labelsFile,
      views: this.dataset.views,
      numClasses: this.dataset.numClasses,
      resolution: this.options.resolution,
      resize: this.options.resize,
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
