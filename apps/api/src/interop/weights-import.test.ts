/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-require-imports -- response bodies are untyped JSON here; the data lib is loaded from the monorepo */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { backboneTensors, encodePthStateDict, toReferenceStateDict, type PthTensor } from '@equilab/interop';
import { FINAL_WEIGHTS_FILE, Resnet18Backbone, readSafetensors } from '@equilab/sie';
import { createProject, repoRoot, startTestApp, type JsonBody, type TestApp } from '../testing/test-app';

const RUNNER = path.join(repoRoot(), 'apps/runner/dist/main.js');
const CLI = path.join(repoRoot(), 'apps/runner/dist/cli/main.js');
const DATA = path.join(repoRoot(), 'libs/data/dist/index.js');
const missing = [RUNNER, DATA].filter((f) => !existsSync(f));

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function pthOf(tensors: PthTensor[]): Uint8Array {
  return encodePthStateDict(tensors);
}

/** The reference state dict of a tiny backbone (width 1/16), as `final_weights.pth` holds it. */
function referenceTensors(backbone: Resnet18Backbone): PthTensor[] {
  return toReferenceStateDict(backboneTensors(backbone)).map((t) => ({ name: t.name, dtype: 'float32', shape: t.shape, data: t.data }));
}

// Upload → imported run with final weights → POST /runs/:id/evaluations → evaluate queue → runner child → result.
void describe('POST /api/imports/weights: reference weights as an imported run the evaluation routes evaluate', { skip: missing.length ? `not built: ${missing.join(', ')}` : false }, () => {
  let t: TestApp;
  let runner: ChildProcess | undefined;
  const output: string[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'equilab-weights-import-'));
  const dataRoot = path.join(dir, 'data');
  const artifactDir = path.join(dir, 'artifacts');
  const prefix = `equilab-test-wimport-${process.pid}`;
  let projectId: string;
  const backbone = new Resnet18Backbone({ widthMultiplier: 0.0625, seed: 5 });

  async function upload(fields: Record<string, string>, file: { name: string; bytes: Uint8Array } | null): Promise<{ status: number; body: JsonBody }> {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    if (file) form.set('file', new Blob([file.bytes]), file.name);
    const res = await fetch(`${t.baseUrl}/api/imports/weights`, { method: 'POST', headers: { authorization: `Bearer ${t.adminToken}` }, body: form });
    return { status: res.status, body: await res.json() };
  }

  before(async () => {
    const { generateDataset } = require(DATA) as { generateDataset: (o: Record<string, unknown>) => Promise<unknown> };
    await generateDataset({ out: dataRoot, classes: 2, objectsPerClass: 4, views: 4, size: 32, workers: 0, seed: 1 });
    t = await startTestApp({ QUEUE_PREFIX: prefix, DATA_ROOT: dataRoot, ARTIFACT_DIR: artifactDir });
    projectId = await createProject(t, 'weights import');
  });
  after(async () => {
    if (runner && runner.exitCode === null) {
      const exited = new Promise((resolve) => runner!.once('exit', resolve));
      runner.kill('SIGTERM');
      await exited;
    }
    backbone.dispose();
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  void it('bad files are a 400 on file naming the problem, and nothing is stored', async () => {
    const good = pthOf(referenceTensors(backbone));
    const runsBefore = (await t.request('GET', `/api/runs?projectId=${projectId}&limit=500`)).body.items.length;
    const cases: [string, Record<string, string>, { name: string; bytes: Uint8Array } | null, string, RegExp][] = [
      ['wrong magic', { projectId, method: 'VICReg' }, { name: 'notes.txt', bytes: Buffer.from('conv1.weight,0.1\n') }, 'file', /^notes\.txt: neither a zip-based \.pth nor a safetensors file/],
      ['truncated', { projectId, method: 'VICReg' }, { name: 'cut.pth', bytes: good.subarray(0, Math.floor(good.length / 2)) }, 'file', /^cut\.pth: /],
      [
        'a tensor of the wrong shape',
        { projectId, method: 'VICReg' },
        {
          name: 'odd.pth',
          bytes: pthOf(referenceTensors(backbone).map((x): PthTensor => (x.name === 'layer2.0.conv1.weight' ? { name: x.name, dtype: 'float32', shape: [8, 4, 3, 1], data: new Float32Array(96) } : x))),
        },
        'file',
        /^odd\.pth: tensor layer2\.0\.conv1\.weight has shape \[8, 4, 3, 1\], the run's backbone needs \[8, 4, 3, 3\]/,
      ],
      ['another width than config.width', { projectId, method: 'VICReg', config: '{"width":0.125}' }, { name: 'w.pth', bytes: good }, 'file', /tensor conv1\.weight has shape \[4, 3, 7, 7\], the run's backbone needs \[8, 3, 7, 7\]/],
      [
        'a tensor missing',
        { projectId, method: 'VICReg' },
        { name: 'part.pth', bytes: pthOf(referenceTensors(backbone).filter((x) => x.name !== 'layer4.1.bn2.running_mean')) },
        'file',
        /^part\.pth: missing 1 backbone tensors \(layer4\.1\.bn2\.running_mean/,
      ],
      ['no file', { projectId, method: 'VICReg' }, null, 'file', /required/],
      ['unknown method', { projectId, method: 'SimSiam' }, { name: 'w.pth', bytes: good }, 'method', /unknown method 'SimSiam'/],
      ['config not JSON', { projectId, method: 'VICReg', config: '{width' }, { name: 'w.pth', bytes: good }, 'config', /JSON object/],
      ['a config field out of range', { projectId, method: 'VICReg', config: '{"batch_size":-3}' }, { name: 'w.pth', bytes: good }, 'config.batch_size', /./],
    ];
    for (const [label, fields, file, field, message] of cases) {
      const res = await upload(fields, file);
      assert.equal(res.status, 400, `${label}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.issues[0].path, field, label);
      assert.match(res.body.error.issues[0].message, message, label);
    }
    assert.equal((await t.request('GET', `/api/runs?projectId=${projectId}&limit=500`)).body.items.length, runsBefore);
    assert.deepEqual(existsSync(path.join(artifactDir, 'runs')) ? readdirSync(path.join(artifactDir, 'runs')) : [], []);
    const missingProject = await upload({ projectId: '00000000-0000-4000-8000-000000000000', method: 'VICReg' }, { name: 'w.pth', bytes: good });
    assert.equal(missingProject.status, 404);
  });

  void it('equilab import weights FILE --project P uploads through the API: the run it prints exists; a bad file exits 1 naming it', async () => {
    const cli = (...args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [CLI, 'import', 'weights', ...args], { env: { ...process.env, EQUILAB_API_URL: t.baseUrl, EQUILAB_TOKEN: t.adminToken }, timeout: 120_000 }, (error, stdout, stderr) =>
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
        );
      });
    const file = path.join(dir, 'final_weights.pth');
    writeFileSync(file, pthOf(referenceTensors(backbone)));
    const ok = await cli(file, '--method', 'VICReg', '--project', projectId, '--set', 'mlp=16-16-16', '--name', 'from the CLI');
    assert.equal(ok.code, 0, ok.stderr);
    const match = /^run ([0-9a-f-]{36}) \(from the CLI, VICReg, imported\): 105 backbone tensors, width 0\.0625;/.exec(ok.stdout);
    assert.ok(match, ok.stdout);
    const run = await t.request('GET', `/api/runs/${match[1]}`);
    assert.equal(run.body.status, 'imported');
    assert.equal(run.body.config.mlp, '16-16-16');
    const junk = path.join(dir, 'junk.pth');
    writeFileSync(junk, 'not weights');
    const bad = await cli(junk, '--method', 'VICReg', '--project', projectId);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /HTTP 400: .*file: junk\.pth: neither a zip-based \.pth nor a safetensors file/);
  });

  void it('a reference final_weights.pth becomes an imported run holding the backbone; its evaluation runs through the queue on a runner', async () => {
    const res = await upload({ projectId, method: 'VICReg', config: '{"mlp":"16-16-16","resolution":32}' }, { name: 'final_weights.pth', bytes: pthOf(referenceTensors(backbone)) });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.width, 0.0625);
    assert.equal(res.body.tensors, 105);
    assert.deepEqual(res.body.artifacts.map((a: JsonBody) => a.kind).sort(), ['checkpoint', 'final-weights']);
    const runId = res.body.runId as string;
    const run = await t.request('GET', `/api/runs/${runId}`);
    assert.equal(run.body.status, 'imported');
    assert.equal(run.body.name, 'final_weights.pth');
    assert.equal(run.body.config.width, 0.0625);
    // The stored backbone is the uploaded one, in Equilab's layout.
    const finalArtifact = res.body.artifacts.find((a: JsonBody) => a.kind === 'final-weights');
    assert.match(finalArtifact.path, new RegExp(`^runs/${runId}/v/0{12}-[0-9a-f]{16}/final_weights\\.safetensors$`));
    const stored = readSafetensors(path.join(artifactDir, ...finalArtifact.path.split('/'))).tensors;
    for (const x of backboneTensors(backbone)) assert.deepEqual(stored.get(x.name)?.data, x.data, x.name);
    // The evaluation routes take it as a trained run: queued, then a runner evaluates it.
    const evaluation = await t.request('POST', `/api/runs/${runId}/evaluations`, { kind: 'classification', config: { epochs: 1, batch_size: 3 } });
    assert.equal(evaluation.status, 201, evaluation.text);

    runner = spawn(process.execPath, [RUNNER], {
      env: {
        ...process.env,
        DATABASE_URL: t.env.DATABASE_URL,
        REDIS_URL: t.env.REDIS_URL,
        QUEUE_PREFIX: prefix,
        API_URL: t.baseUrl,
        API_TOKEN: await t.token('runner'),
        RUNNER_NAME: 'weights-import-test',
        RUNNER_BACKEND: 'cpu',
        RUNNER_DATA_WORKERS: '0',
        RUNNER_HEARTBEAT_MS: '500',
        METRICS_FLUSH_MS: '100',
        ARTIFACT_DIR: artifactDir,
        WORK_DIR: path.join(dir, 'work'),
        SPILL_DIR: path.join(dir, 'spill'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    runner.stdout?.on('data', collect);
    runner.stderr?.on('data', collect);
    const done = await until(
      'the evaluation to finish',
      async () => {
        const e = (await t.request('GET', `/api/evaluations/${evaluation.body.id}`)).body;
        if (e.status === 'failed') throw new Error(`evaluation failed: ${e.error}\n${output.slice(-30).join('\n')}`);
        return e.status === 'succeeded' ? e : undefined;
      },
      300_000,
    );
    assert.equal(done.results.length, 1);
    assert.equal(done.results[0].checkpoint, 'final');
    assert.ok(Number.isFinite(done.results[0].metrics['val top-1']), JSON.stringify(done.results));

    // A pretraining run initialised from the imported weights: the runner fetches them with its run token.
    // base_lr 1e-30 leaves every conv weight as it starts (Adam's step is ~lr): the final convs are the upload's.
    const badRef = await t.request('POST', '/api/runs', { projectId, method: 'VICReg', initWeights: { runId: '00000000-0000-4000-8000-000000000000' } });
    assert.equal(badRef.status, 400);
    assert.equal(badRef.body.error.issues[0].path, 'initWeights');
    const tiny = { width: 0.0625, mlp: '16-16-16', batch_size: 4, resolution: 32, epochs: 1, base_lr: 1e-30 };
    // The file is checked against the run at creation: its width and (Equilab files) its method.
    for (const [method, config, message] of [
      ['VICReg', { ...tiny, width: 0.125 }, /holds a backbone of width 0\.0625; this run's config\.width is 0\.125/],
      ['SIE', { ...tiny, equi: 16 }, /holds weights of a VICReg run; this run trains SIE/],
    ] as const) {
      const refused = await t.request('POST', '/api/runs', { projectId, method, config, initWeights: { runId } });
      assert.equal(refused.status, 400, refused.text);
      assert.equal(refused.body.error.issues[0].path, 'initWeights');
      assert.match(refused.body.error.issues[0].message, message);
    }
    const created = await t.request('POST', '/api/runs', { projectId, method: 'VICReg', seed: 3, backend: 'cpu', config: tiny, initWeights: { runId } });
    assert.equal(created.status, 201, created.text);
    const finalWeights = res.body.artifacts.find((a: JsonBody) => a.kind === 'final-weights');
    assert.deepEqual(created.body.initWeights, { artifactId: finalWeights.id, runId, kind: 'final-weights' });
    const trained = await until(
      'the initialised run to finish',
      async () => {
        const r = (await t.request('GET', `/api/runs/${created.body.id}`)).body;
        if (r.status === 'failed') throw new Error(`run failed: ${r.error}\n${output.slice(-30).join('\n')}`);
        return r.status === 'succeeded' ? r : undefined;
      },
      300_000,
    );
    assert.equal(trained.initWeights.artifactId, finalWeights.id);
    const trainedArtifacts = (await t.request('GET', `/api/runs/${created.body.id}/artifacts`)).body.items as { kind: string; path: string }[];
    const trainedFinal = trainedArtifacts.find((a) => a.kind === 'final-weights' && a.path.endsWith(FINAL_WEIGHTS_FILE))!;
    const after = readSafetensors(path.join(artifactDir, ...trainedFinal.path.split('/'))).tensors;
    const convs = backboneTensors(backbone).filter((x) => x.shape.length === 4);
    assert.equal(convs.length, 21);
    for (const x of convs) assert.deepEqual(after.get(x.name)?.data, x.data, x.name);
    assert.ok(output.some((l) => l.includes('fetched its initial weights')), output.slice(-20).join('\n'));
  });
});
