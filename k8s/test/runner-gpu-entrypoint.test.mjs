// docker/runner-gpu-entrypoint.sh refuses to start a GPU-configured runner without a visible GPU. Run for real
// with stand-in `nvidia-smi` programs on PATH.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { repoRoot } from './lib/render.mjs';

const script = join(repoRoot, 'docker', 'runner-gpu-entrypoint.sh');
const dirs = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A folder holding a fake nvidia-smi with this body (none when body is null), put first on PATH. */
function pathWith(body) {
  const dir = mkdtempSync(join(tmpdir(), 'equilab-gpu-'));
  dirs.push(dir);
  if (body !== null) {
    writeFileSync(join(dir, 'nvidia-smi'), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, 'nvidia-smi'), 0o755);
  }
  return `${dir}:/usr/bin:/bin`;
}

function run(env) {
  return spawnSync('/bin/sh', [script, 'echo', 'runner-started'], { env, encoding: 'utf8' });
}

describe('runner-gpu-entrypoint.sh', () => {
  it('starts the command when nvidia-smi -L lists a GPU', () => {
    const r = run({
      PATH: pathWith('echo "GPU 0: NVIDIA A100-SXM4-40GB (UUID: GPU-1234)"'),
      RUNNER_BACKEND: 'tensorflow-gpu',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'runner-started');
    assert.match(r.stderr, /1 GPU\(s\) visible/);
  });

  it('exits 1 naming RUNNER_BACKEND when nvidia-smi lists no GPU', () => {
    const r = run({
      PATH: pathWith('echo "No devices were found"; exit 6'),
      RUNNER_BACKEND: 'tensorflow-gpu',
    });
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /RUNNER_BACKEND=tensorflow-gpu/);
    assert.match(r.stderr, /lists no GPU \(No devices were found\)/);
  });

  it('exits 1 naming RUNNER_BACKEND when nvidia-smi is absent (no NVIDIA runtime)', () => {
    const r = run({ PATH: pathWith(null), RUNNER_BACKEND: 'tensorflow-gpu' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /RUNNER_BACKEND=tensorflow-gpu but no GPU is visible/);
  });

  it('defaults to the GPU backend (the image sets it) and checks when RUNNER_BACKEND is unset', () => {
    const r = run({ PATH: pathWith('exit 9') });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /RUNNER_BACKEND=tensorflow-gpu/);
  });

  it('does not check when the runner is configured for a CPU backend', () => {
    const r = run({ PATH: pathWith(null), RUNNER_BACKEND: 'tensorflow' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'runner-started');
  });
});
