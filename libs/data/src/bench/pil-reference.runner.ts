import { spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * Runs `pil_reference.py` (the reference loader's PIL + torchvision image path) for the bench. The product never
 * needs Python: without a python3 that imports Pillow and NumPy the anchor is skipped and the bench says why.
 */
export const PIL_REFERENCE_SCRIPT = path.resolve(__dirname, '../../src/bench/pil_reference.py');

/** Interpreters tried in order (`python3` on PATH may be a pyenv shim without Debian's python3-pil). */
const CANDIDATES = ['python3', '/usr/bin/python3'];

export type PythonProbe = { python: string; versions: string } | { skipped: string };

export function findPillowPython(explicit?: string): PythonProbe {
  const reasons: string[] = [];
  for (const python of explicit ? [explicit] : CANDIDATES) {
    const probe = spawnSync(python, ['-c', 'import PIL, numpy, sys; print(f"Python {sys.version.split()[0]}, Pillow {PIL.__version__}, NumPy {numpy.__version__}")'], {
      encoding: 'utf8',
    });
    if (probe.status === 0) return { python, versions: probe.stdout.trim() };
    reasons.push(`${python}: ${probe.error ? probe.error.message : (probe.stderr.trim().split('\n').at(-1) ?? `exit ${probe.status}`)}`);
  }
  return { skipped: `no python3 with Pillow and NumPy (Debian: apt-get install python3-pil python3-numpy): ${reasons.join('; ')}` };
}

/** Run one subcommand with the file list on stdin; its last stdout line is JSON. */
export function runPilReference(python: string, args: string[], files: readonly string[]): Record<string, unknown> {
  const run = spawnSync(python, [PIL_REFERENCE_SCRIPT, ...args], { input: files.join('\n'), encoding: 'utf8', maxBuffer: 16 << 20 });
  if (run.status !== 0) throw new Error(`pil_reference.py ${args.join(' ')} exited ${run.status}: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
}
