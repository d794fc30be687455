import { parentPort, workerData } from 'node:worker_threads';
import { writeObject, type ObjectTask, type RenderSettings } from './object.writer';

/** worker_threads entry of the generator: renders the objects it is sent, reports each one done. */
export type RenderRequest = { type: 'render'; tasks: ObjectTask[] };
export type RenderReply = { type: 'done'; count: number } | { type: 'error'; message: string };

const settings = workerData as RenderSettings;
const port = parentPort;
if (port) {
  port.on('message', (request: RenderRequest) => {
    void (async () => {
      try {
        for (const task of request.tasks) {
          await writeObject(task, settings);
          port.postMessage({ type: 'done', count: 1 } satisfies RenderReply);
        }
      } catch (error) {
        port.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) } satisfies RenderReply);
      }
    })();
  });
}
