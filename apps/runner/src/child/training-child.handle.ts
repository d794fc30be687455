import { fork, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import {
  childToParentMessageSchema,
  type ChildCheckpointMessage,
  type ChildEndMessage,
  type ChildStartMessage,
  type DeviceInfo,
  type MetricPoint,
  type ParentToChildMessage,
  type Progress,
  type StopReason,
} from '@equilab/contracts';

/** Compiled entry of the forked training process (dist/child/child.main.js). */
export const TRAINING_CHILD_ENTRY = require.resolve('./child.main');

export interface ChildHandlers {
  onDevice(device: DeviceInfo): Promise<void>;
  onMetrics(points: MetricPoint[]): void;
  onProgress(progress: Progress): void;
  /** Store and register the checkpoint; the child is told once this resolves. */
  onCheckpoint(checkpoint: ChildCheckpointMessage): Promise<void>;
  /**
   * A line the child printed (its stdout/stderr notes, TensorFlow.js's banner) or a note about the child: the
   * processors log it through the runner's pino logger with the job's runId/jobId. Default: the parent's stderr.
   */
  onLog?(line: string, source: 'stdout' | 'stderr' | 'runner'): void;
}

export type ChildOutcome =
  | { readonly kind: 'end'; readonly end: ChildEndMessage }
  | { readonly kind: 'error'; readonly message: string; readonly retryable: boolean };

/**
 * One forked training child. Its messages are handled strictly in order (a checkpoint is stored before later
 * messages are looked at); `done` resolves once the child has exited and every message was handled.
 */
export class TrainingChild {
  readonly done: Promise<ChildOutcome>;
  private readonly process: ChildProcess;
  private queue: Promise<void> = Promise.resolve();
  private outcome: ChildOutcome | null = null;
  private handlerError: Error | null = null;
  private readonly note: (line: string, source: 'stdout' | 'stderr' | 'runner') => void;

  constructor(start: ChildStartMessage, handlers: ChildHandlers, entry: string = TRAINING_CHILD_ENTRY) {
    // The child's output is read line by line and logged as the job's (never inherited as raw text).
    this.process = fork(entry, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const note = handlers.onLog?.bind(handlers) ?? ((line: string) => void process.stderr.write(`${line}\n`));
    const lines = (stream: Readable | null, source: 'stdout' | 'stderr'): Promise<void> => {
      if (!stream) return Promise.resolve();
      const reader = createInterface({ input: stream, crlfDelay: Infinity });
      reader.on('line', (line) => {
        if (line.trim() !== '') note(line, source);
      });
      return new Promise<void>((resolve) => reader.once('close', resolve));
    };
    this.note = note;
    const output = Promise.all([lines(this.process.stdout, 'stdout'), lines(this.process.stderr, 'stderr')]);
    this.process.on('message', (raw: unknown) => {
      this.queue = this.queue
        .then(() => this.handle(raw, handlers))
        .catch((error: unknown) => {
          // A failing handler (store or API down for good) ends the attempt: the job is retried and resumes.
          this.handlerError ??= error instanceof Error ? error : new Error(String(error));
          this.kill();
        });
    });
    this.done = new Promise<ChildOutcome>((resolve) => {
      this.process.once('exit', (code, signal) => {
        // Every line the child printed is logged before the outcome is known.
        void Promise.all([this.queue, output]).then(() => {
          if (this.handlerError)
            return resolve({ kind: 'error', message: this.handlerError.message, retryable: true });
          resolve(
            this.outcome ?? {
              kind: 'error',
              message: `training child exited without a result (${signal ? `signal ${signal}` : `exit code ${code}`})`,
              retryable: true,
            },
          );
        });
      });
      this.process.once('error', (error) => {
        this.handlerError ??= error;
      });
    });
    this.send(start);
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  proceed(): void {
    this.send({ type: 'proceed' });
  }

  stop(reason: StopReason): void {
    this.send({ type: 'stop', reason });
  }

  kill(): void {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill('SIGKILL');
  }

  private send(message: ParentToChildMessage): void {
    if (this.process.connected) this.process.send(message, (error) => void error);
  }

  private async handle(raw: unknown, handlers: ChildHandlers): Promise<void> {
    const parsed = childToParentMessageSchema.safeParse(raw);
    if (!parsed.success) {
      this.note(`ignoring an invalid message from the training child: ${parsed.error.message}`, 'runner');
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'device':
        return handlers.onDevice(message.device);
      case 'metrics':
        return handlers.onMetrics(message.points);
      case 'progress':
        return handlers.onProgress(message.progress);
      case 'checkpoint':
        await handlers.onCheckpoint(message);
        this.send({ type: 'checkpoint-stored', seq: message.seq });
        return;
      case 'end':
        this.outcome = { kind: 'end', end: message };
        return;
      case 'error':
        this.outcome = { kind: 'error', message: message.message, retryable: message.retryable };
        return;
    }
  }
}
