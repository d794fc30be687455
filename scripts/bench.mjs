// `npm run bench`: builds, then runs the `bench` script of every workspace that has one and prints one JSON
// object with each package's figures (each bench prints its own JSON object as its last stdout line).
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const rootPkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const only = process.argv.slice(2);

execFileSync('npx', ['turbo', 'run', 'build', '--output-logs=errors-only'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });

const results = {};
const loadBefore = os.loadavg()[0];
for (const pattern of rootPkg.workspaces) {
  const base = path.join(root, pattern.replace(/\/\*$/, ''));
  const dirs = pattern.endsWith('/*')
    ? (await import('node:fs')).readdirSync(base, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => path.join(base, d.name))
    : [base];
  for (const dir of dirs) {
    let pkg;
    try {
      pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    } catch {
      continue;
    }
    if (!pkg.scripts?.bench || (only.length && !only.some((o) => pkg.name.includes(o)))) continue;
    process.stderr.write(`bench: ${pkg.name}\n`);
    const run = spawnSync('npm', ['run', '--silent', 'bench'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
    const last = run.stdout.trim().split('\n').at(-1) ?? '';
    try {
      results[pkg.name] = JSON.parse(last);
    } catch {
      results[pkg.name] = { error: `bench exited ${run.status} without a JSON line`, output: run.stdout.slice(-2000) };
    }
  }
}

// Load averages (1 min) before and after: figures taken on a busy machine say so.
const machine = {
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model,
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  loadAverage: { before: loadBefore, after: os.loadavg()[0] },
};
console.log(JSON.stringify({ date: new Date().toISOString(), machine, results }, null, 2));
