/**
 * Training-step throughput of the backbone: both views (two forward passes of `batch` images, batch statistics per
 * view, as the trainer does), backward, and an Adam-like update of every backbone parameter.
 *
 *   node dist/bench/train-step.bench.js            all configurations, one child process each; ONE JSON line
 *   node dist/bench/train-step.bench.js --one wasm 1 64 [--threads n] [--steps n]   one configuration (JSON line)
 *
 * The Adam stand-in lives here on purpose: the trainer may replace it with its real step later.
 */
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { defaultWasmThreads, selectBackend } from '../backend/select-backend';
import { createResnet18 } from '../backbone/resnet18.backbone';
import type { NamedVariable } from '../types';

const BATCH = 32;

interface ConfigResult {
  backend: string;
  threads: number | null;
  width: number;
  px: number;
  batch: number;
  steps: number;
  stepSeconds: number;
  imagesPerSecond: number;
  /** Process CPU time per step (user + system, all threads): robust to other load on a shared machine. */
  cpuSecondsPerStep: number;
  peakRssMB: number;
  peakTensorMB: number;
}

/** Minimal Adam (β 0.9/0.999, ε 1e-8, lr 1e-3, bias-corrected) over the given variables. */
class AdamStandIn {
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  private t = 0;

  constructor(private readonly params: NamedVariable[]) {
    this.m = params.map((p) => tf.variable(tf.zerosLike(p.variable), false));
    this.v = params.map((p) => tf.variable(tf.zerosLike(p.variable), false));
  }

  apply(grads: tf.NamedTensorMap, lr = 1e-3): void {
    this.t += 1;
    const c1 = 1 - 0.9 ** this.t;
    const c2 = 1 - 0.999 ** this.t;
    tf.tidy(() => {
      this.params.forEach((p, i) => {
        const g = grads[p.variable.name];
        if (!g) return;
        const m = this.m[i] as tf.Variable;
        const v = this.v[i] as tf.Variable;
        m.assign(tf.add(tf.mul(m, 0.9), tf.mul(g, 0.1)));
        v.assign(tf.add(tf.mul(v, 0.999), tf.mul(tf.square(g), 0.001)));
        p.variable.assign(tf.sub(p.variable, tf.div(tf.mul(m, lr / c1), tf.add(tf.sqrt(tf.div(v, c2)), 1e-8))));
      });
    });
  }

  dispose(): void {
    tf.dispose([...this.m, ...this.v]);
  }
}

async function runOne(backend: 'wasm' | 'cpu', width: number, px: number, threads: number | undefined, maxSteps: number, budgetS: number): Promise<ConfigResult> {
  const info = await selectBackend(backend, threads === undefined ? {} : { threads });
  const net = createResnet18({ widthMultiplier: width, seed: 1 });
  const params = net.parameters();
  const opt = new AdamStandIn(params);
  const x1 = tf.randomUniform<tf.Rank.R4>([BATCH, px, px, 3], 0, 1, 'float32', 1);
  const x2 = tf.randomUniform<tf.Rank.R4>([BATCH, px, px, 3], 0, 1, 'float32', 2);
  const vars = params.map((p) => p.variable);
  let peakBytes = 0;
  const step = () => {
    const { value, grads } = tf.variableGrads(() => {
      const hx = net.apply(x1, true);
      const hy = net.apply(x2, true);
      // A VICReg-like stand-in objective touching both views.
      return tf.add<tf.Scalar>(tf.mean(tf.square(tf.sub(hx, hy))), tf.mul(tf.mean(tf.square(hx)), 1e-3));
    }, vars);
    peakBytes = Math.max(peakBytes, tf.memory().numBytes);
    opt.apply(grads);
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  };
  step(); // warm-up: operator creation, heap growth
  const tensorsAfterWarmup = tf.memory().numTensors;
  let steps = 0;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let elapsed = 0;
  while (steps < maxSteps && (steps < 2 || elapsed < budgetS)) {
    step();
    steps += 1;
    elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  }
  const cpu = process.cpuUsage(cpu0);
  if (tf.memory().numTensors !== tensorsAfterWarmup) throw new Error(`tensor count grew across steps: ${tensorsAfterWarmup} → ${tf.memory().numTensors}`);
  tf.dispose([x1, x2]);
  opt.dispose();
  net.dispose();
  const stepSeconds = elapsed / steps;
  return {
    backend: info.backend,
    threads: info.threads,
    width,
    px,
    batch: BATCH,
    steps,
    stepSeconds: Number(stepSeconds.toFixed(3)),
    imagesPerSecond: Number(((2 * BATCH) / stepSeconds).toFixed(2)),
    cpuSecondsPerStep: Number(((cpu.user + cpu.system) / 1e6 / steps).toFixed(3)),
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    peakTensorMB: Math.round(peakBytes / 2 ** 20),
  };
}

function argValue(args: string[], flag: string): number | undefined {
  const i = args.indexOf(flag);
  return i >= 0 ? Number(args[i + 1]) : undefined;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const threads = argValue(args, '--threads');
  if (args[0] === '--one') {
    const backend = args[1] === 'cpu' ? 'cpu' : 'wasm';
    const result = await runOne(backend, Number(args[2]), Number(args[3]), threads, argValue(args, '--steps') ?? 5, argValue(args, '--budget') ?? 12);
    process.stdout.write(JSON.stringify(result) + '\n');
    process.exit(0); // wasm worker threads (when enabled) keep the process alive
  }
  // wasm at its default thread count (2 when the patched bundle allows it), the single-thread baseline at full
  // width / 64 px, and the pure-JS cpu backend at every size (2 timed steps each: minutes at full width).
  const wasmThreads = threads ?? defaultWasmThreads();
  const configs: [string, number, number, number][] = [
    ['wasm', 0.25, 32, wasmThreads],
    ['wasm', 0.25, 64, wasmThreads],
    ['wasm', 1, 32, wasmThreads],
    ['wasm', 1, 64, wasmThreads],
    ...(wasmThreads > 1 ? ([['wasm', 1, 64, 1]] as [string, number, number, number][]) : []),
    ['cpu', 0.25, 32, 1],
    ['cpu', 0.25, 64, 1],
    ['cpu', 1, 32, 1],
    ['cpu', 1, 64, 1],
  ];
  const loadBefore = os.loadavg()[0] ?? 0;
  const results: (ConfigResult | { backend: string; threads: number; width: number; px: number; error: string })[] = [];
  for (const [backend, width, px, n] of configs) {
    const childArgs = [__filename, '--one', backend, String(width), String(px), '--steps', backend === 'cpu' ? '2' : '5', '--budget', '6'];
    if (backend === 'wasm') childArgs.push('--threads', String(n));
    try {
      const out = execFileSync(process.execPath, childArgs, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 20 });
      const last = out.trim().split('\n').pop() ?? '{}';
      results.push(JSON.parse(last) as ConfigResult);
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      results.push({ backend, threads: backend === 'wasm' ? n : 1, width, px, error: (err.stderr ?? err.message).trim().split('\n').slice(-3).join(' | ') });
    }
  }
  process.stdout.write(
    JSON.stringify({
      bench: 'sie.backbone-train-step',
      description: 'ResNet-18 training step (2 views × batch 32: forward, backward, Adam update), images/s = 64 / step time',
      note: 'cpu (pure JS) runs 2 timed steps per size: it is 10–100× slower than wasm. Wall-clock figures depend on other load (see loadAverage); cpuSecondsPerStep does much less',
      loadAverage: { before: Number(loadBefore.toFixed(2)), after: Number((os.loadavg()[0] ?? 0).toFixed(2)) },
      cores: os.cpus().length,
      results,
    }) + '\n',
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
