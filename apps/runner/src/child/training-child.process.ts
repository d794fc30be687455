import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import {
  metricPointSchema,
  parentToChildMessageSchema,
  progressSchema,
  type ChildStartMessage,
  type ChildToParentMessage,
  type MetricPoint,
  type Progress,
} from '@equilab/contracts';
import type { CheckpointInfo, Trainer } from '@equilab/sie';
import { GpuProbe } from '../monitoring/gpu-probe';
import { SystemSampler } from '../monitoring/system-sampler';

/**
 * The training child's process: forked by the runner for one job (never run on the worker's event loop), it
 * talks to the runner over IPC only (libs/contracts `training-child.ipc.ts`) and trains with `trainer`.
 * `child.main.ts` runs it with libs/sie's trainer; the runner's tests run it with a stand-in.
 */
export function runTrainingChild(trainer: Trainer): void {
  process.on('message', (raw: unknown) => onMessage(trainer, raw));
  // Ctrl-C reaches the whole process group and a pod's SIGTERM may reach the child too: stop like a preemption
  // (checkpoint, end `stopped`) and let the runner report it.
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.on(signal, () => {
      controller.abort('preempt');
      releaseAll();
    });
  // The runner died (SIGKILL, OOM): nobody would store checkpoints or forward metrics — stop at once.
  process.on('disconnect', () => {
    controller.abort('disconnect');
    releaseAll();
    setTimeout(() => process.exit(0), 2_000).unref();
  });
}

const controller = new AbortController();
let proceed: (() => void) | null = null;
const proceeded = new Promise<void>((resolvePromise) => (proceed = resolvePromise));
const pendingCheckpoints = new Map<number, () => void>();
let started = false;

function send(message: ChildToParentMessage): Promise<void> {
  return new Promise((resolvePromise) => {
    if (!process.connected || !process.send) return resolvePromise();
    process.send(message, undefined, {}, () => resolvePromise());
  });
}

function releaseAll(): void {
  proceed?.();
  for (const release of pendingCheckpoints.values()) release();
  pendingCheckpoints.clear();
}

function onMessage(trainer: Trainer, raw: unknown): void {
  const parsed = parentToChildMessageSchema.safeParse(raw);
  if (!parsed.success) {
    process.stderr.write(`training child: ignoring invalid message ${JSON.stringify(raw)}\n`);
    // A start the child cannot read would leave the runner waiting: end the attempt (a retry cannot fix it).
    if (!started && typeof raw === 'object' && raw !== null && (raw as { type?: unknown }).type === 'start') {
      started = true;
      void send({ type: 'error', message: `invalid start message: ${parsed.error.message}`, retryable: false }).then(() => exit(1));
    }
    return;
  }
  const message = parsed.data;
  switch (message.type) {
    case 'start':
      if (started) return;
      started = true;
      void run(trainer, message);
      return;
    case 'proceed':
      proceed?.();
      return;
    case 'stop':
      controller.abort(message.reason);
      releaseAll();
      return;
    case 'checkpoint-stored': {
      const release = pendingCheckpoints.get(message.seq);
      pendingCheckpoints.delete(message.seq);
      release?.();
      return;
    }
  }
}

/** Files under `path` (a file or a folder), relative to outDir with POSIX separators. */
function filesOf(outDir: string, path: string): string[] {
  const full = isAbsolute(path) ? path : join(outDir, path);
  const stats = statSync(full, { throwIfNoEntry: false });
  if (!stats) {
    process.stderr.write(`training child: ${full} was reported but does not exist; skipped\n`);
    return [];
  }
  const paths = stats.isDirectory()
    ? readdirSync(full, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => join(entry.parentPath, entry.name))
    : [full];
  return paths.map((p) => {
    const rel = relative(resolve(outDir), resolve(p));
    if (rel.startsWith('..') || isAbsolute(rel))
      throw new Error(`checkpoint file ${p} is outside the work folder ${outDir}`);
    return rel.split(sep).join('/');
  });
}

/** Process readings (system/*) added to the training metrics, at most every 5 s (the first batch always has them). */
let sampler: SystemSampler | null = null;

function forwardMetrics(points: MetricPoint[]): void {
  if (sampler?.due() && points.length > 0) points = [...points, ...sampler.sample(Math.max(...points.map((p) => p.step)))];
  const valid = points.filter((point) => metricPointSchema.safeParse(point).success);
  if (valid.length < points.length)
    process.stderr.write(`training child: dropped ${points.length - valid.length} invalid metric points\n`);
  if (valid.length > 0) void send({ type: 'metrics', points: valid });
}

function forwardProgress(progress: Progress): void {
  if (progressSchema.safeParse(progress).success) void send({ type: 'progress', progress });
}

async function run(trainer: Trainer, start: ChildStartMessage): Promise<void> {
  try {
    await send({ type: 'device', device: await trainer.selectBackend(start.backend) });
    await proceeded;
    if (controller.signal.aborted) {
      await send({ type: 'end', outcome: 'stopped', finalFiles: [], step: null });
      return exit(0);
    }
    if (start.task === 'pretrain') await pretrain(trainer, start);
    else await evaluate(trainer, start);
    exit(0);
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    // A config the schemas reject cannot succeed on a retry.
    const retryable = !(error instanceof Error && ['ZodError', 'MethodConfigError', 'InitialWeightsError'].includes(error.name));
    await send({ type: 'error', message, retryable });
    exit(1);
  }
}

async function pretrain(trainer: Trainer, start: Extract<ChildStartMessage, { task: 'pretrain' }>): Promise<void> {
  const { job, outDir } = start;
  sampler = new SystemSampler(new GpuProbe());
  let seq = 0;
  let lastStep: number | null = null;
  // Read (format checked) before the data is opened; names and shapes are checked against the model before step 0.
  const interop = start.initWeightsFile ? await import('@equilab/interop') : undefined;
  const initial = interop && start.initWeightsFile ? interop.readInitialWeights(start.initWeightsFile) : undefined;
  const result = await trainer.train({
    ...(interop && initial
      ? {
          initialise: (parts) => {
            const report = interop.applyInitialWeights(initial, job.method, parts);
            process.stderr.write(
              `training child: initialised the backbone (${report.backboneTensors} tensors)${report.headTensors > 0 ? ` and the method heads (${report.headTensors})` : ''} from ${report.source} weights\n`,
            );
          },
        }
      : {}),
    run: job,
    dataRoot: job.dataRoot,
    outDir,
    backend: start.backend,
    seed: job.seed,
    workers: start.workers,
    logEvery: job.logEvery,
    signal: controller.signal,
    resume: start.resume,
    onMetrics: forwardMetrics,
    onProgress: forwardProgress,
    onCheckpoint: async (info: CheckpointInfo) => {
      const files = info.files.flatMap((f) => filesOf(outDir, f));
      lastStep = info.step;
      const mySeq = seq++;
      const stored = new Promise<void>((release) => pendingCheckpoints.set(mySeq, release));
      await send({ type: 'checkpoint', seq: mySeq, step: info.step, epoch: info.epoch, files });
      if (process.connected) await stored;
    },
  });
  const stopped = controller.signal.aborted || result.status === 'canceled';
  await send({
    type: 'end',
    outcome: stopped ? 'stopped' : 'completed',
    finalFiles: stopped ? [] : result.finalFiles.flatMap((f) => filesOf(outDir, f)),
    step: result.step ?? lastStep,
  });
}

async function evaluate(trainer: Trainer, start: Extract<ChildStartMessage, { task: 'evaluate' }>): Promise<void> {
  const { job, outDir } = start;
  const result = await trainer.evaluate({
    runId: job.runId,
    evaluationId: job.evaluationId,
    kind: job.kind,
    config: job.config,
    dataRoot: job.dataRoot,
    outDir,
    backend: start.backend,
    seed: job.seed,
    workers: start.workers,
    signal: controller.signal,
    onMetrics: forwardMetrics,
    onProgress: forwardProgress,
  });
  const stopped = controller.signal.aborted || result.status === 'canceled';
  await send({
    type: 'end',
    outcome: stopped ? 'stopped' : 'completed',
    finalFiles: result.files.flatMap((f) => filesOf(outDir, f)),
    step: null,
  });
}

function exit(code: number): void {
  // Let the IPC channel flush, then leave (the trainer may hold timers or worker threads).
  setImmediate(() => {
    if (process.connected) process.disconnect();
    process.exit(code);
  });
}
