/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return -- response bodies are untyped JSON here; the assertions check their shape */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RESNET18_MAPPING, findEventLogDirs, readEventFile, readPth, isTensorRef, readReferenceWeights, backboneTensors } from '@equilab/interop';
import { FINAL_WEIGHTS_FILE, Resnet18Backbone, saveFinalWeights } from '@equilab/sie';
import { PrismaService } from '../database/prisma.service';
import { createProject, createRun, repoRoot, startTestApp, type JsonBody, type TestApp } from '../testing/test-app';

/** The event files PyTorch's SummaryWriter wrote (libs/interop/fixtures/tensorboard/README.md). */
const fixtures = path.join(repoRoot(), 'libs', 'interop', 'fixtures', 'tensorboard');
const expected = JSON.parse(readFileSync(path.join(fixtures, 'expected.json'), 'utf8')) as { run: string; tag: string; step: number; value: number; wall_time: number }[];

function eventFile(run: string): { name: string; bytes: Buffer } {
  const dir = path.join(fixtures, 'reference-style', run);
  const [name] = readdirSync(dir);
  return { name: name!, bytes: readFileSync(path.join(dir, name!)) };
}

async function upload(t: TestApp, fields: Record<string, string>, files: { name: string; bytes: Uint8Array }[]): Promise<{ status: number; body: JsonBody }> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  for (const f of files) form.append('files', new Blob([f.bytes]), f.name);
  const res = await fetch(`${t.baseUrl}/api/imports/tensorboard`, { method: 'POST', headers: { authorization: `Bearer ${t.adminToken}` }, body: form });
  return { status: res.status, body: await res.json() };
}

void describe('interop: TensorBoard import/export, weights in the reference naming', () => {
  let t: TestApp;
  let projectId: string;
  let artifactDir: string;

  before(async () => {
    artifactDir = mkdtempSync(path.join(tmpdir(), 'equilab-interop-api-'));
    t = await startTestApp({ ARTIFACT_DIR: artifactDir });
    projectId = await createProject(t, 'interop');
  });
  after(async () => {
    await t.close();
    rmSync(artifactDir, { recursive: true, force: true });
  });

  void it('imports a reference run written by PyTorch: an imported run in the Runs table and Compare, every tag, step and wall time kept', async () => {
    const res = await upload(t, { projectId, name: 'SIE_seed1', method: 'SIE' }, [eventFile('SIE_seed1')]);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const sie = expected.filter((e) => e.run === 'SIE_seed1');
    assert.equal(res.body.points, sie.length);
    assert.equal(res.body.keys, new Set(sie.map((e) => e.tag)).size);
    assert.deepEqual(res.body.skipped, [{ tag: 'Hist/backbone output', kind: 'histogram', count: 3 }]);
    assert.deepEqual(res.body.dropped, []);
    const runId = res.body.runId as string;

    const list = await t.request('GET', `/api/runs?projectId=${projectId}`);
    const row = list.body.items.find((r: JsonBody) => r.id === runId);
    assert.equal(row.status, 'imported');
    assert.equal(row.name, 'SIE_seed1');
    assert.equal(row.method, 'SIE');
    assert.equal(row.finishedAt, new Date(Math.max(...sie.map((e) => e.wall_time)) * 1000).toISOString());

    // Compare beside an Equilab run of the same project.
    const own = await createRun(t, projectId, { name: 'equilab VICReg' });
    const compare = await t.request('GET', `/api/metrics/compare?runIds=${runId},${own.id}&keys=Loss/Total loss&points=1000`);
    assert.equal(compare.status, 200, compare.text);
    const series = compare.body.series.find((s: JsonBody) => s.runId === runId);
    const totals = sie.filter((e) => e.tag === 'Loss/Total loss');
    assert.deepEqual(series.points.map((p: JsonBody) => [p.step, p.value, p.time]), totals.map((e) => [e.step, e.value, Math.round(e.wall_time * 1000)]));

    // Round trip: the API's event file export reads back as the same points.
    const exported = await fetch(`${t.baseUrl}/api/runs/${runId}/metrics/export?format=tfevents`, { headers: { authorization: `Bearer ${t.adminToken}` } });
    assert.equal(exported.status, 200);
    assert.match(exported.headers.get('content-disposition') ?? '', /filename="events\.out\.tfevents\.\d{10}\./);
    const back = readEventFile('export', new Uint8Array(await exported.arrayBuffer()));
    assert.equal(back.error, null);
    const key = (tag: string, step: number) => `${tag}@${step}`;
    const got = new Map(back.points.map((p) => [key(p.tag, p.step), [p.value, p.wallTime]]));
    assert.equal(got.size, sie.length);
    for (const e of sie) assert.deepEqual(got.get(key(e.tag, e.step)), [e.value, e.wall_time], key(e.tag, e.step));
  });

  void it('the tensor form (new_style) imports too; the method defaults to imported', async () => {
    const res = await upload(t, { projectId, name: 'VICReg_seed1' }, [eventFile('VICReg_seed1')]);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.points, expected.filter((e) => e.run === 'VICReg_seed1').length);
    const run = await t.request('GET', `/api/runs/${res.body.runId}`);
    assert.equal(run.body.method, 'imported');
    assert.equal(run.body.latestMetrics['General/lr'].value, expected.filter((e) => e.run === 'VICReg_seed1' && e.tag === 'General/lr').at(-1)!.value);
  });

  void it('a truncated file: 400 naming the file and the record offset; the records before it are kept in the run', async () => {
    const file = eventFile('SIE_seed1');
    const cut = file.bytes.subarray(0, 2000);
    const res = await upload(t, { projectId, name: 'truncated' }, [{ name: file.name, bytes: cut }]);
    assert.equal(res.status, 400);
    const issue = res.body.error.issues[0];
    assert.equal(issue.path, `files.${file.name}`);
    const match = /^record at byte offset (\d+): truncated record (header|body).*; the (\d+) points before it are imported into run ([0-9a-f-]{36})$/.exec(issue.message);
    assert.ok(match, issue.message);
    assert.ok(Number(match[1]) < 2000 && Number(match[3]) > 0);
    const summary = await t.request('GET', `/api/runs/${match[4]}/metrics/summary`);
    assert.equal(summary.body.metrics.reduce((n: number, m: JsonBody) => n + m.count, 0), Number(match[3]));
  });

  void it('bad uploads are 4xx naming the field; an unreadable file creates no run', async () => {
    const file = eventFile('SIE_seed1');
    const runsBefore = (await t.request('GET', `/api/runs?projectId=${projectId}&limit=500`)).body.items.length;
    let res = await upload(t, { name: 'x' }, [file]);
    assert.equal(res.status, 400);
    assert.equal(res.body.error.issues[0].path, 'projectId');
    res = await upload(t, { projectId, name: 'x' }, []);
    assert.equal(res.status, 400);
    assert.equal(res.body.error.issues[0].path, 'files');
    res = await upload(t, { projectId, name: '' }, [file]);
    assert.equal(res.status, 400);
    assert.equal(res.body.error.issues[0].path, 'name');
    res = await upload(t, { projectId: '00000000-0000-4000-8000-000000000000', name: 'x' }, [file]);
    assert.equal(res.status, 404);
    res = await upload(t, { projectId, name: 'notes' }, [{ name: 'notes.txt', bytes: Buffer.from('step,value\n0,1\n') }]);
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.error.issues, [{ path: 'files.notes.txt', message: 'record at byte offset 0: length CRC mismatch (corrupt record header, or not a TFRecord/event file)' }]);
    assert.equal((await t.request('GET', `/api/runs?projectId=${projectId}&limit=500`)).body.items.length, runsBefore);
    const sweep = await t.request('GET', '/api/sweeps/00000000-0000-4000-8000-000000000000/metrics/export?format=tfevents');
    assert.equal(sweep.status, 400);
    assert.equal(sweep.body.error.issues[0].path, 'format');
  });

  void it("exports a run's final weights in the reference naming: torch.load-able .pth and safetensors", async () => {
    const run = await createRun(t, projectId, { name: 'trained' });
    const backbone = new Resnet18Backbone({ widthMultiplier: 0.0625, seed: 4 });
    try {
      const key = `runs/${run.id}/${FINAL_WEIGHTS_FILE}`;
      mkdirSync(path.join(artifactDir, 'runs', run.id), { recursive: true });
      const size = saveFinalWeights(path.join(artifactDir, key), [...backbone.parameters(), ...backbone.buffers()], {});
      await t.app.get(PrismaService).artifact.create({ data: { runId: run.id, kind: 'final-weights', path: key, size: BigInt(size), sha256: 'a'.repeat(64), step: 1 } });
      const tensors = new Map(backboneTensors(backbone).map((x) => [x.name, x.data]));

      const pth = await fetch(`${t.baseUrl}/api/runs/${run.id}/weights?format=pth-state-dict`, { headers: { authorization: `Bearer ${t.adminToken}` } });
      assert.equal(pth.status, 200);
      assert.match(pth.headers.get('content-disposition') ?? '', /filename="final_weights\.pth"/);
      const bytes = new Uint8Array(await pth.arrayBuffer());
      const parsed = readPth(bytes, 'final_weights.pth');
      assert.ok(parsed.root instanceof Map);
      const names = [...parsed.root.keys()];
      assert.deepEqual(names.filter((n) => typeof n === 'string' && !n.endsWith('num_batches_tracked')), RESNET18_MAPPING.map((e) => e.reference));
      const conv1 = parsed.root.get('conv1.weight');
      assert.ok(conv1 && isTensorRef(conv1));
      assert.deepEqual(parsed.tensor(conv1).shape, [4, 3, 7, 7]);

      const st = await fetch(`${t.baseUrl}/api/runs/${run.id}/weights?format=safetensors-reference`, { headers: { authorization: `Bearer ${t.adminToken}` } });
      assert.equal(st.status, 200);
      const file = path.join(artifactDir, 'downloaded.safetensors');
      writeFileSync(file, new Uint8Array(await st.arrayBuffer()));
      for (const x of readReferenceWeights(file).tensors) assert.deepEqual(x.data, tensors.get(x.name), x.name);
    } finally {
      backbone.dispose();
    }
    const bad = await t.request('GET', `/api/runs/${run.id}/weights?format=onnx`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.issues[0].path, 'format');
    const imported = (await t.request('GET', `/api/runs?projectId=${projectId}&status=imported`)).body.items[0];
    const none = await t.request('GET', `/api/runs/${imported.id}/weights`);
    assert.equal(none.status, 404);
    assert.match(none.body.error.message, /has no final weights \(status imported: a TensorBoard import holds metrics only\)/);
    assert.equal(findEventLogDirs(fixtures).length, 2);
  });
});
