// `npm run bench [-- NAME…] [--no-build]`: builds (turbo's log goes to stderr), runs the `bench` script of every
// workspace that has one (or those whose name contains a NAME), then the anchors (the same work done by the usual
// alternatives), and prints exactly ONE JSON object on stdout:
//   { date, machine: { cores, cpuModel, memoryGiB, node, loadAverage: { before, after } }, results, anchors, comparisons }
// Adding a section: give a workspace package a `bench` script whose LAST stdout line is one JSON object (with its
// units); it appears as results["<package name>"]. Everything else a bench prints goes to stderr, and so does
// progress. An anchor is an entry of ANCHORS below: a command whose last stdout line is JSON, or a skip reason.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const rootPkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const args = process.argv.slice(2);
const only = args.filter((a) => !a.startsWith('--'));
const log = (line) => process.stderr.write(`${line}\n`);
const loadAverage = () => os.loadavg().map((x) => Number(x.toFixed(2)));

/** Run a command; stdout lines but the last go to stderr; the last must be JSON. */
function runJson(command, commandArgs, cwd) {
  const run = spawnSync(command, commandArgs, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
  const lines = (run.stdout ?? '').trimEnd().split('\n');
  const last = lines.pop() ?? '';
  if (lines.length > 0) process.stderr.write(`${lines.join('\n')}\n`);
  try {
    const value = JSON.parse(last);
    if (run.status !== 0) value.error = `exited ${run.status}`;
    return value;
  } catch {
    return { error: `${command} ${commandArgs.join(' ')} exited ${run.status ?? run.error?.message} without a JSON last line`, output: (run.stdout ?? '').slice(-2000) };
  }
}

/** A python3 that imports `modules` (`python3` on PATH may be a pyenv shim without Debian's packages). */
function pythonWith(modules) {
  const reasons = [];
  for (const python of ['python3', '/usr/bin/python3']) {
    const probe = spawnSync(python, ['-c', `import ${modules.join(', ')}`], { encoding: 'utf8' });
    if (probe.status === 0) return { python };
    reasons.push(`${python}: ${probe.error?.message ?? probe.stderr.trim().split('\n').at(-1)}`);
  }
  return { skipped: `no python3 with ${modules.join(', ')}: ${reasons.join('; ')}` };
}

const ANCHORS = {
  // PyTorch (Debian python3-torch) on libs/sie's training-step shapes; compared in `comparisons` below.
  pytorchTrainStep: { modules: ['torch'], script: 'scripts/bench/train_step_torch.py', args: [], when: (name) => name.includes('sie') },
};

function workspaceDirs() {
  return rootPkg.workspaces.flatMap((pattern) => {
    const base = path.join(root, pattern.replace(/\/\*$/, ''));
    if (!pattern.endsWith('/*')) return [base];
    return readdirSync(base, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => path.join(base, d.name));
  });
}

const loadBefore = loadAverage();
if (!args.includes('--no-build')) {
  log('bench: building (turbo)');
  const build = spawnSync('npx', ['turbo', 'run', 'build', '--output-logs=errors-only'], { cwd: root, stdio: ['ignore', process.stderr, 'inherit'] });
  if (build.status !== 0) {
    console.log(JSON.stringify({ date: new Date().toISOString(), error: `build failed (exit ${build.status})` }, null, 2));
    process.exit(1);
  }
}

const results = {};
for (const dir of workspaceDirs()) {
  let pkg;
  try {
    pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  } catch {
    continue;
  }
  if (!pkg.scripts?.bench || (only.length && !only.some((o) => pkg.name.includes(o)))) continue;
  log(`bench: ${pkg.name}`);
  results[pkg.name] = runJson('npm', ['run', '--silent', 'bench'], dir);
}

const anchors = {};
for (const [name, anchor] of Object.entries(ANCHORS)) {
  if (!Object.keys(results).some(anchor.when)) continue;
  const python = pythonWith(anchor.modules);
  if ('skipped' in python) {
    anchors[name] = { skipped: python.skipped };
    continue;
  }
  log(`bench: anchor ${name}`);
  anchors[name] = runJson(python.python, [path.join(root, anchor.script), ...anchor.args], root);
}

// Training step, wasm vs PyTorch on the same backbone and shapes: ratio of images/s (wall) and of CPU s per step.
const comparisons = {};
const sie = results['@equilab/sie'];
const torch = anchors.pytorchTrainStep;
if (Array.isArray(sie?.results) && Array.isArray(torch?.results)) {
  comparisons.trainStepWasmVsPytorch = torch.results.flatMap((t) => {
    const w = sie.results.find((r) => r.backend === 'wasm' && r.width === t.width && r.px === t.px && r.threads === torch.threads && !r.error);
    if (!w) return [];
    return [
      {
        width: t.width,
        px: t.px,
        threads: torch.threads,
        wasmImagesPerSecond: w.imagesPerSecond,
        pytorchImagesPerSecond: t.imagesPerSecond,
        wallRatio: Number((w.imagesPerSecond / t.imagesPerSecond).toFixed(3)),
        cpuRatio: Number((t.cpuSecondsPerStep / w.cpuSecondsPerStep).toFixed(3)),
      },
    ];
  });
  comparisons.note = 'ratio = wasm ÷ PyTorch speed (wallRatio from images/s; cpuRatio from process CPU seconds per step, robust to other load); target ≥ 0.2';
}

const cpus = os.cpus();
const machine = {
  cores: os.availableParallelism(),
  cpuModel: cpus[0]?.model,
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  // 1, 5 and 15 minute load averages: figures taken on a busy machine say so.
  loadAverage: { before: loadBefore, after: loadAverage() },
};
console.log(JSON.stringify({ date: new Date().toISOString(), machine, results, anchors, comparisons }, null, 2));
const failed = [...Object.values(results), ...Object.values(anchors)].some((r) => r && typeof r === 'object' && 'error' in r);
process.exit(failed ? 1 : 0);
