import { readdirSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import {
  evaluateJobSchema,
  metricPointSchema,
  parentToChildMessageSchema,
  pretrainJobSchema,
  progressSchema,
  type ChildStartMessage,
  type ChildToParentMessage,
  type DeviceInfo,
  type MetricPoint,
  type Progress,
} from '@equilab/contracts';
import type { CheckpointInfo, TrainerModule, TrainResult } from './trainer.port';

/**
 * The training child: forked by the runner for one job (never run on the worker's event loop). Talks to the
 * runner over IPC only (libs/contracts `runner.ts`).
 */

class FatalError extends Error {}

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

process.on('message', (raw: unknown) => {
  const parsed = parentToChildMessageSchema.safeParse(raw);
  if (!parsed.success) {
    process.stderr.write(`training child: ignoring invalid message ${JSON.stringify(raw)}\n`);
    return;
  }
  const message = parsed.data;
  switch (message.type) {
    case 'start':
      if (started) return;
      started = true;
      void run(message);
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
});

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

function describeDevice(selected: unknown, backend: string): DeviceInfo {
  const fallback: DeviceInfo = { backend, threads: null, device: `cpu (${cpus().length} cores)` };
  if (typeof selected === 'string') return { ...fallback, backend: selected };
  if (selected && typeof selected === 'object') {
    const s = selected as Record<string, unknown>;
    return {
      backend: typeof s.backend === 'string' ? s.backend : typeof s.name === 'string' ? s.name : backend,
      threads:
        typeof s.threads === 'number' && Number.isInteger(s.threads) && s.threads >= 0 ? s.threads : null,
      device: typeof s.device === 'string' && s.device ? s.device : fallback.device,
    };
  }
  return fallback;
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

function loadTrainer(name: string): TrainerModule {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(name) as TrainerModule;
  } catch (error) {
    throw new FatalError(
      `cannot load trainer module ${name}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function forwardMetrics(points: MetricPoint[]): void {
  const valid = points.filter((point) => metricPointSchema.safeParse(point).success);
  if (valid.length < points.length)
    process.stderr.write(`training child: dropped ${points.length - valid.length} invalid metric points\n`);
  if (valid.length > 0) void send({ type: 'metrics', points: valid });
}

function forwardProgress(progress: Progress): void {
  if (progressSchema.safeParse(progress).success) void send({ type: 'progress', progress });
}

async function run(start: ChildStartMessage): Promise<void> {
  try {
    const trainer = loadTrainer(start.trainerModule);
    const selected = trainer.selectBackend ? await trainer.selectBackend(start.backend) : start.backend;
    await send({ type: 'device', device: describeDevice(selected, start.backend) });
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
    const retryable =
      !(error instanceof FatalError) && !(error instanceof Error && error.name === 'ZodError');
    await send({ type: 'error', message, retryable });
    exit(1);
  }
}

async function pretrain(trainer: TrainerModule, start: ChildStartMessage): Promise<void> {
  const job = pretrainJobSchema.parse(start.payload);
  if (!trainer.train)
    throw new FatalError(`trainer module ${start.trainerModule} does not export train(options)`);
  const config = job.config;
  const number = (key: string, fallback: number): number => {
    const value = config[key];
    return typeof value === 'number' ? value : fallback;
  };
  let seq = 0;
  let lastStep: number | null = null;
  const result: TrainResult = await trainer.train({
    method: job.method,
    config,
    dataRoot: job.dataRoot,
    outDir: start.outDir,
    backend: start.backend,
    seed: job.seed,
    workers: start.workers,
    metricsEvery: number('metricsEvery', 1),
    metricsEverySeconds: number('metricsEverySeconds', 0),
    signal: controller.signal,
    resume: start.resume,
    onMetrics: forwardMetrics,
    onProgress: forwardProgress,
    onCheckpoint: async (info: CheckpointInfo) => {
      const files = info.files
        ? info.files.flatMap((f) => filesOf(start.outDir, f))
        : info.path
          ? filesOf(start.outDir, info.path)
          : [];
      if (files.length === 0) throw new Error('onCheckpoint: the checkpoint names no file (path or files)');
      lastStep = info.step;
      const mySeq = seq++;
      const stored = new Promise<void>((release) => pendingCheckpoints.set(mySeq, release));
      await send({ type: 'checkpoint', seq: mySeq, step: info.step, epoch: info.epoch ?? 0, files });
      if (process.connected) await stored;
    },
  });
  const stopped = controller.signal.aborted || result?.status === 'canceled';
  const finalFiles = result?.finalFiles
    ? result.finalFiles.flatMap((f) => filesOf(start.outDir, f))
    : result?.finalWeightsPath
      ? filesOf(start.outDir, result.finalWeightsPath)
      : [];
  await send({
    type: 'end',
    outcome: stopped ? 'stopped' : 'completed',
    finalFiles: stopped ? [] : finalFiles,
    step: typeof result?.step === 'number' ? result.step : lastStep,
  });
}

async function evaluate(trainer: TrainerModule, start: ChildStartMessage): Promise<void> {
  const job = evaluateJobSchema.parse(start.payload);
  if (!trainer.evaluate)
    throw new FatalError(
      `evaluation entry missing: trainer module ${start.trainerModule} does not export evaluate(options) ` +
        `(see apps/runner/src/child/trainer.port.ts EvaluateOptions)`,
    );
  const result = await trainer.evaluate({
    runId: job.runId,
    evaluationId: job.evaluationId,
    kind: job.kind,
    config: job.config,
    dataRoot: job.dataRoot,
    outDir: start.outDir,
    backend: start.backend,
    seed: job.seed,
    workers: start.workers,
    signal: controller.signal,
    onMetrics: forwardMetrics,
    onProgress: forwardProgress,
  });
  const files = result?.files ? result.files.flatMap((f) => filesOf(start.outDir, f)) : [];
  const stopped = controller.signal.aborted || result?.status === 'canceled';
  await send({ type: 'end', outcome: stopped ? 'stopped' : 'completed', finalFiles: files, step: null });
}

function exit(code: number): void {
  // Let the IPC channel flush, then leave (the trainer may hold timers or worker threads).
  setImmediate(() => {
    if (process.connected) process.disconnect();
    process.exit(code);
  });
}
