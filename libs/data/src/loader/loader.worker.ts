import { parentPort, workerData } from 'node:worker_threads';
import type { ResolvedPairDatasetOptions } from '@equilab/contracts';
import { isDataError } from '../data.error';
import { PairDataset } from '../dataset/pair.dataset';
import { batchTransferList, buildPairBatch, type PairBatch } from './pair.batch';

/** worker_threads entry of the pair loader: decodes the batches it is asked for, one at a time, in order. */
export interface BatchRequest {
  id: number;
  indices: number[];
  seed: number;
  epoch: number;
  batchIndex: number;
  skipBad: boolean;
}
export type BatchReply = { id: number; batch: PairBatch } | { id: number; error: unknown };
export type LoaderWorkerData = ResolvedPairDatasetOptions;

const port = parentPort;
if (port) {
  const opened = PairDataset.open(workerData as LoaderWorkerData);
  opened.catch(() => undefined); // reported with the first request
  let chain: Promise<void> = Promise.resolve();
  port.on('message', (request: BatchRequest) => {
    chain = chain.then(async () => {
      try {
        const dataset = await opened;
        const batch = await buildPairBatch(dataset, request.indices, request.seed, request.epoch, request.batchIndex, request.skipBad);
        // The batch's buffers move to the parent (transfer list): no structured-clone copy of the images.
        port.postMessage({ id: request.id, batch } satisfies BatchReply, batchTransferList(batch));
      } catch (error) {
        const payload = isDataError(error) ? error.toJSON() : { message: error instanceof Error ? error.message : String(error) };
        port.postMessage({ id: request.id, error: payload } satisfies BatchReply);
      }
    });
  });
}
