import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { contiguousSteps, curveFromMetrics, formatCurve, readMetricsFile, type CurveHeader } from './curve.format';
import { SCIENCE_METHOD_OPTIONS, SCIENCE_RECIPE } from './science.recipe';

/** One run of the science check and the step count it trains to. */
export interface ScienceJob {
  readonly method: string;
  readonly seed: number;
  readonly steps: number;
}

export interface SciencePlanOptions {
  readonly methods: readonly string[];
  readonly seeds: readonly number[];
  readonly steps: number;
  readonly longSeeds: readonly number[];
  readonly longSteps: number;
}

/**
 * Every run to `steps` first (seeds in turn, methods side by side), then the long seeds continued to `longSteps`:
 * the comparison at the early steps is available before the long runs end.
 */
export function sciencePlan(o: SciencePlanOptions): ScienceJob[] {
  const jobs: ScienceJob[] = [];
  for (const seed of o.seeds) for (const method of o.methods) jobs.push({ method, seed, steps: o.steps });
  if (o.longSteps > o.steps) for (const seed of o.longSeeds) for (const method of o.methods) jobs.push({ method, seed, steps: o.longSteps });
  return jobs;
}

export const runName = (job: Pick<ScienceJob, 'method' | 'seed'>): string => `${job.method}_seed${job.seed}`;

export interface ScienceRunOptions {
  readonly cli: string;
  readonly data: string;
  readonly out: string;
  readonly backend: string;
  readonly parallel: number;
  readonly threads: number;
  readonly workers: number;
  readonly stepsPerEpoch: number;
  readonly log: (line: string) => void;
  readonly signal?: AbortSignal;
}

function trainArgs(job: ScienceJob, o: ScienceRunOptions): string[] {
  const options: Record<string, string | number> = { ...SCIENCE_RECIPE, ...(SCIENCE_METHOD_OPTIONS.get(job.method) ?? {}), seed: job.seed, epochs: job.steps / o.stepsPerEpoch };
  return [
    o.cli,
    'train',
    '--method',
    job.method,
    '--data',
    o.data,
    '--out',
    path.join(o.out, 'runs', runName(job)),
    '--backend',
    o.backend,
    '--threads',
    String(o.threads),
    '--workers',
    String(o.workers),
    '--metrics-every',
    '1',
    ...Object.entries(options).flatMap(([k, v]) => ['--set', `${k}=${v === '' ? '' : String(v)}`]),
  ];
}

/** Steps already trained and logged by a run (0 when it has not started). */
export function stepsDone(out: string, job: Pick<ScienceJob, 'method' | 'seed'>): number {
  const metrics = path.join(out, 'runs', runName(job), 'metrics.jsonl');
  if (!existsSync(metrics)) return 0;
  return contiguousSteps(readMetricsFile(metrics), 'Loss/Total loss');
}

/** Wall time of a run's training so far (the trainer's own clock, kept across resumes), seconds. */
function wallSeconds(series: Map<string, Map<number, number>>): number | null {
  const elapsed = series.get('General/time_elapsed');
  if (elapsed === undefined || elapsed.size === 0) return null;
  return Math.max(...elapsed.values());
}

/** Writes `<out>/<method>_seed<k>.jsonl` in the reference's format from the run's per-step metrics. */
export function writeRunCurve(out: string, job: Pick<ScienceJob, 'method' | 'seed'>): string | null {
  const metrics = path.join(out, 'runs', runName(job), 'metrics.jsonl');
  if (!existsSync(metrics)) return null;
  const series = readMetricsFile(metrics);
  const done = contiguousSteps(series, 'Loss/Total loss');
  if (done < 100) return null;
  const steps = done - (done % 100);
  const configFile = path.join(out, 'runs', runName(job), 'config.json');
  const config = existsSync(configFile) ? (JSON.parse(readFileSync(configFile, 'utf8')) as { config?: unknown }).config : undefined;
  const header: CurveHeader = {
    header: true,
    method: job.method,
    seed: job.seed,
    steps,
    source: 'equilab',
    wall_seconds: wallSeconds(series),
    recipe: config ?? null,
  };
  const file = path.join(out, `${runName(job)}.jsonl`);
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, formatCurve(curveFromMetrics(series, header)));
  renameSync(tmp, file);
  return file;
}

function runChild(job: ScienceJob, o: ScienceRunOptions): Promise<number> {
  const dir = path.join(o.out, 'runs');
  mkdirSync(dir, { recursive: true });
  const logFile = path.join(dir, `${runName(job)}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  log.write(`\n# ${new Date().toISOString()} science: ${runName(job)} to step ${job.steps}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, trainArgs(job, o), { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    const stop = () => child.kill('SIGTERM');
    o.signal?.addEventListener('abort', stop, { once: true });
    child.on('error', reject);
    child.on('close', (code) => {
      o.signal?.removeEventListener('abort', stop);
      log.end();
      resolve(code ?? 1);
    });
  });
}

/**
 * Trains the plan with up to `parallel` runs side by side (one child process each). Resumable: each run continues
 * from its last checkpoint (every epoch), and runs already at their step count are skipped. A job never starts
 * while another job of the same run is training or before the shorter job of the same run has finished.
 */
export async function runSciencePlan(jobs: readonly ScienceJob[], o: ScienceRunOptions): Promise<{ failed: ScienceJob[] }> {
  const pending = [...jobs];
  const busy = new Set<string>();
  const failed: ScienceJob[] = [];
  const next = (): ScienceJob | undefined => {
    const i = pending.findIndex((job) => !busy.has(runName(job)) && !pending.some((other) => other !== job && runName(other) === runName(job) && other.steps < job.steps));
    return i < 0 ? undefined : pending.splice(i, 1)[0];
  };
  const worker = async (): Promise<void> => {
    for (;;) {
      if (o.signal?.aborted) return;
      const job = next();
      if (job === undefined) {
        if (pending.length === 0) return;
        // Another worker holds this run: wait for any job to finish, then look again.
        await new Promise<void>((resolve) => waiters.push(resolve));
        continue;
      }
      const name = runName(job);
      busy.add(name);
      try {
        const done = stepsDone(o.out, job);
        if (done >= job.steps) {
          o.log(`${name}: ${done} steps done (target ${job.steps}), skipped`);
        } else {
          o.log(`${name}: training from step ${done} to ${job.steps}`);
          const code = await runChild(job, o);
          if (code !== 0) {
            if (!o.signal?.aborted) failed.push(job);
            o.log(`${name}: the trainer exited with code ${code} (log: ${path.join(o.out, 'runs', `${name}.log`)})`);
          } else o.log(`${name}: reached step ${job.steps}`);
        }
        const curve = writeRunCurve(o.out, job);
        if (curve) o.log(`${name}: curve ${curve}`);
      } finally {
        busy.delete(name);
        for (const wake of waiters.splice(0)) wake();
      }
    }
  };
  const waiters: (() => void)[] = [];
  await Promise.all(Array.from({ length: Math.max(1, o.parallel) }, () => worker()));
  return { failed };
}
