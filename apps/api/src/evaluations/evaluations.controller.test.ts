/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call -- response bodies are untyped JSON here; the assertions check their shape */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runRoom, SOCKET_PATH, SocketEvents, type EvaluationEvent, type SubscribeAck } from '@equilab/contracts';
import { io } from 'socket.io-client';
import { PrismaService } from '../database/prisma.service';
import { DispatchService } from '../queue/dispatch.service';
import { createProject, createRun, evaluationToken, jobRunToken, registerRunner, startTestApp, type TestApp } from '../testing/test-app';
import { EvaluationsService } from './evaluations.service';

const start = (runnerId: string) => ({ runnerId, attempt: 1, backend: 'wasm', threads: 2, device: 'cpu' });

void describe('evaluations', () => {
  let t: TestApp;
  let projectId: string;
  let runnerId: string;

  before(async () => {
    t = await startTestApp();
    projectId = await createProject(t, 'evaluations');
    runnerId = await registerRunner(t);
  });
  after(async () => {
    await t.close();
  });

  async function succeededRun(extra: Record<string, unknown> = {}): Promise<{ id: string; token: string }> {
    const run = await createRun(t, projectId, extra);
    const token = await jobRunToken(t, run.id);
    assert.equal((await t.request('POST', `/api/runs/${run.id}/start`, start(runnerId), token)).status, 200);
    assert.equal((await t.request('POST', `/api/runs/${run.id}/finish`, { status: 'succeeded' }, token)).status, 200);
    return { id: run.id, token };
  }

  const outcome = (kind: string, metrics: Record<string, number>, extra: Record<string, unknown> = {}) => ({
    status: 'done',
    outcome: { kind, part: kind === 'retrieval' ? 'equi' : 'full', checkpoint: 'final', status: 'succeeded', metrics, reason: null, epochs: 1, ...extra },
  });

  void it('a succeeded run queues its requested suite once; probe-only options skip retrieval', async () => {
    const run = await succeededRun({ evaluations: { kinds: ['rotation', 'retrieval'], config: { epochs: 1 } } });
    // The succeeded transition queued the suite before answering; a repeated finish (its run token ended with the
    // attempt: 409, which the runner reads as settled) or a start-up scan adds nothing.
    assert.equal((await t.request('POST', `/api/runs/${run.id}/finish`, { status: 'succeeded' }, run.token)).status, 409);
    assert.equal(await t.app.get(EvaluationsService).queueSuites(), 0, 'idempotent');
    const res = await t.request('GET', `/api/runs/${run.id}/evaluations`);
    assert.equal(res.status, 200);
    const items = res.body.items as { id: string; kind: string; status: string; config: Record<string, unknown> }[];
    assert.deepEqual(items.map((e) => e.kind).sort(), ['retrieval', 'rotation']);
    assert.equal(items.find((e) => e.kind === 'rotation')!.config.epochs, 1);
    assert.equal(items.find((e) => e.kind === 'retrieval')!.config.epochs, undefined);
    for (const e of items) {
      const job = await t.app.get(DispatchService).evaluate.getJob(`${e.id}.1`);
      assert.ok(job, `evaluate job of ${e.kind}`);
      assert.equal(job.data.runId, run.id);
      assert.equal(job.data.kind, e.kind);
      assert.equal(Object.hasOwn(job.data as object, 'runToken'), false, 'no secret in the payload');
    }
  });

  void it('queues the suite of a run that succeeded while no API process could, once; an unknown kind is refused when the run is created', async () => {
    const refused = await t.request('POST', '/api/runs', { projectId, method: 'VICReg', evaluations: { kinds: ['rotation', 'bogus'] } });
    assert.equal(refused.status, 400, refused.text);
    assert.equal(refused.body.error.issues[0].path, 'evaluations.kinds.1');
    const run = await createRun(t, projectId, { evaluations: { kinds: ['rotation'], config: {} } });
    // The run's status changed without its transition queueing the suite (an API process stopped in between).
    await t.app.get(PrismaService).run.update({ where: { id: run.id }, data: { status: 'succeeded', finishedAt: new Date() } });
    const service = t.app.get(EvaluationsService);
    assert.equal(await service.queueSuites(), 1, 'the rotation evaluation');
    assert.equal(await service.queueSuites(), 0, 'idempotent');
    const items = (await t.request('GET', `/api/runs/${run.id}/evaluations`)).body.items as { kind: string; status: string; error: string | null }[];
    assert.deepEqual(items.map((e) => [e.kind, e.status]), [['rotation', 'queued']]);
  });

  void it('POST /runs/:id/evaluations: idempotent, 400 naming the field, 409 for an unfinished run, 404', async () => {
    const run = await succeededRun();
    const first = await t.request('POST', `/api/runs/${run.id}/evaluations`, { kind: 'classification', config: { epochs: 2, bn_mode: 'frozen' } });
    assert.equal(first.status, 201, first.text);
    assert.equal(first.body.status, 'queued');
    assert.equal(first.body.config.bn_mode, 'frozen');
    assert.equal(first.body.config.lr, 1e-3, 'defaults applied');
    const again = await t.request('POST', `/api/runs/${run.id}/evaluations`, { kind: 'classification', config: { bn_mode: 'frozen', epochs: 2 } });
    assert.equal(again.body.id, first.body.id);
    let res = await t.request('POST', `/api/runs/${run.id}/evaluations`, { kind: 'knn' });
    assert.equal(res.status, 400);
    assert.match(res.text, /kind/);
    res = await t.request('POST', `/api/runs/${run.id}/evaluations`, { kind: 'rotation', config: { epochs: 0 } });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.issues[0].path, 'config.epochs');
    const queued = await createRun(t, projectId);
    assert.equal((await t.request('POST', `/api/runs/${queued.id}/evaluations`, { kind: 'rotation' })).status, 409);
    assert.equal((await t.request('POST', `/api/runs/00000000-0000-4000-8000-000000000000/evaluations`, { kind: 'rotation' })).status, 404);
  });

  void it('runner reports upsert one result per (run, kind, part, checkpoint); other evaluations’ tokens are refused', async () => {
    const run = await succeededRun();
    const other = await succeededRun();
    const created = await t.request('POST', `/api/runs/${run.id}/evaluations`, { kind: 'rotation', config: { epochs: 1 } });
    const id = created.body.id as string;
    const otherEvaluation = await t.request('POST', `/api/runs/${other.id}/evaluations`, { kind: 'rotation', config: { epochs: 1 } });
    const otherToken = await evaluationToken(t, otherEvaluation.body.id as string);
    assert.equal((await t.request('POST', `/api/evaluations/${id}/report`, { status: 'running' }, otherToken)).status, 403);
    const token = await evaluationToken(t, id);
    let res = await t.request('POST', `/api/evaluations/${id}/report`, { status: 'running' }, token);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.status, 'running');
    res = await t.request('POST', `/api/evaluations/${id}/report`, outcome('rotation', { val_R2: 0.5, val_MSE: 0.1 }), token);
    assert.equal(res.body.status, 'succeeded');
    // The evaluation's token ended with its attempt; the runner it was dispatched to may still report.
    assert.equal((await t.request('POST', `/api/evaluations/${id}/report`, outcome('rotation', { val_R2: 0.6, val_MSE: 0.1 }), token)).status, 409);
    res = await t.request('POST', `/api/evaluations/${id}/report`, outcome('rotation', { val_R2: 0.6, val_MSE: 0.1 }), t.runnerToken);
    assert.equal(res.body.results.length, 1);
    assert.equal(res.body.results[0].metrics.val_R2, 0.6);
    res = await t.request('POST', `/api/evaluations/${id}/report`, outcome('color', { val_R2: 0.6 }), t.runnerToken);
    assert.equal(res.status, 400);
    assert.match(res.text, /outcome\.kind/);
    res = await t.request('POST', `/api/evaluations/${id}/report`, { status: 'exploded' }, t.runnerToken);
    assert.equal(res.status, 400);
  });

  void it('emits `evaluation` events to the run room when an evaluation is queued and when its result lands', async () => {
    const run = await succeededRun();
    const socket = io(t.baseUrl, { path: SOCKET_PATH, transports: ['websocket'], reconnection: false, auth: { token: t.adminToken } });
    try {
      const ack = (await socket.timeout(5_000).emitWithAck('subscribe', { room: runRoom(run.id) })) as SubscribeAck;
      assert.equal(ack.ok, true);
      const events: EvaluationEvent[] = [];
      const two = new Promise<void>((resolve) =>
        socket.on(SocketEvents.evaluation, (event: EvaluationEvent) => {
          events.push(event);
          if (events.length === 2) resolve();
        }),
      );
      const created = await t.request('POST', `/api/runs/${run.id}/evaluations`, { kind: 'color', config: { epochs: 1 } });
      await t.request('POST', `/api/evaluations/${created.body.id}/report`, outcome('color', { val_R2: 0.1, val_MSE: 0.2 }), await evaluationToken(t, created.body.id as string));
      await two;
      assert.deepEqual(
        events.map((e) => [e.room, e.evaluationId, e.runId, e.kind, e.status]),
        [
          [runRoom(run.id), created.body.id, run.id, 'color', 'queued'],
          [runRoom(run.id), created.body.id, run.id, 'color', 'succeeded'],
        ],
      );
    } finally {
      socket.disconnect();
    }
  });

  void it('GET /evaluations/table: mean ± std over seeds, deltas vs baseline, not applicable, CSV, 400s', async () => {
    const project = await createProject(t, 'table');
    const report = async (runId: string, token: string, kind: string, metrics: Record<string, number>, extra: Record<string, unknown> = {}) => {
      const created = await t.request('POST', `/api/runs/${runId}/evaluations`, { kind, config: { epochs: 1 } as Record<string, unknown> });
      assert.ok([200, 201].includes(created.status), created.text);
      void token;
      const res = await t.request('POST', `/api/evaluations/${created.body.id}/report`, outcome(kind, metrics, extra), await evaluationToken(t, created.body.id as string));
      assert.equal(res.status, 200, res.text);
    };
    const sie = [] as { id: string; token: string }[];
    for (const seed of [1, 2]) sie.push(await succeededRun({ projectId: project, method: 'SIE', seed }));
    const vicreg = await succeededRun({ projectId: project, method: 'VICReg', seed: 1 });
    await report(sie[0]!.id, sie[0]!.token, 'rotation', { val_R2: 0.7 });
    await report(sie[1]!.id, sie[1]!.token, 'rotation', { val_R2: 0.9 });
    await report(vicreg.id, vicreg.token, 'rotation', { val_R2: 0.4 });
    const created = await t.request('POST', `/api/runs/${vicreg.id}/evaluations`, { kind: 'retrieval' });
    await t.request('POST', `/api/evaluations/${created.body.id}/report`, outcome('retrieval', {}, { status: 'not_applicable', reason: 'no predictor', epochs: null }), await evaluationToken(t, created.body.id as string));

    let res = await t.request('GET', `/api/evaluations/table?projectId=${project}&baselineRunId=${vicreg.id}`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.columns.map((c: { label: string }) => c.label), ['Classification top-1', 'Rotation R²', 'Colour R²', 'MRR', 'H@1', 'H@5', 'PRE']);
    const sieRow = res.body.rows.find((r: { method: string }) => r.method === 'SIE');
    assert.deepEqual([...sieRow.seeds].sort(), [1, 2]);
    assert.ok(Math.abs(sieRow.cells.rotR2.mean - 0.8) < 1e-9);
    assert.ok(Math.abs(sieRow.cells.rotR2.std - Math.sqrt(0.02)) < 1e-9);
    assert.ok(Math.abs(sieRow.cells.rotR2.delta - 0.4) < 1e-9);
    const vicRow = res.body.rows.find((r: { method: string }) => r.method === 'VICReg');
    assert.equal(vicRow.cells.MRR.notApplicable, true);
    assert.equal(res.body.best.rotR2, res.body.rows.indexOf(sieRow));

    res = await t.request('GET', `/api/evaluations/table?runIds=${sie.map((r) => r.id).join(',')}&format=csv`);
    assert.equal(res.status, 200);
    const lines = res.text.trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[1]!, /^SIE,/);
    assert.equal((await t.request('GET', '/api/evaluations/table')).status, 400);
    assert.equal((await t.request('GET', `/api/evaluations/table?projectId=${project}&sweepId=${project}`)).status, 400);
    assert.equal((await t.request('GET', `/api/evaluations/table?runIds=not-a-uuid`)).status, 400);
  });

  void it('POST /runs/:id/evaluations/suite: a split method gets each probe on full, inv and equi, retrieval once; table part=all', async () => {
    const project = await createProject(t, 'three-parts');
    const run = await succeededRun({ projectId: project, method: 'SIE', config: { equi: 8 } });
    let res = await t.request('POST', `/api/runs/${run.id}/evaluations/suite`, { kinds: ['rotation', 'retrieval'], config: { epochs: 1 } });
    assert.equal(res.status, 201, res.text);
    const items = res.body.items as { id: string; kind: string; config: Record<string, unknown> }[];
    assert.deepEqual(items.map((e) => `${e.kind}:${typeof e.config.part === 'string' ? e.config.part : '-'}`), ['rotation:full', 'rotation:inv', 'rotation:equi', 'retrieval:-']);
    const again = await t.request('POST', `/api/runs/${run.id}/evaluations/suite`, { kinds: ['rotation', 'retrieval'], config: { epochs: 1 } });
    assert.deepEqual(again.body.items.map((e: { id: string }) => e.id), items.map((e) => e.id), 'idempotent');
    // Explicit parts; a bad config queues nothing and names the field.
    res = await t.request('POST', `/api/runs/${run.id}/evaluations/suite`, { kinds: ['color'], parts: ['inv'], config: { epochs: 0 } });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.issues[0].path, 'config.epochs');
    res = await t.request('POST', `/api/runs/${run.id}/evaluations/suite`, { kinds: ['color'], parts: ['inv', 'inv'] });
    assert.equal(res.status, 400);
    assert.match(res.text, /parts/);
    assert.equal((await t.request('GET', `/api/runs/${run.id}/evaluations`)).body.items.length, 4, 'nothing queued by the refused suites');

    const values = { full: 0.9, inv: 0.2, equi: 0.7 } as Record<string, number>;
    for (const e of items.filter((i) => i.kind === 'rotation')) {
      const part = e.config.part as string;
      res = await t.request('POST', `/api/evaluations/${e.id}/report`, outcome('rotation', { val_R2: values[part]!, val_MSE: 0.1 }, { part }), await evaluationToken(t, e.id));
      assert.equal(res.status, 200, res.text);
    }
    res = await t.request('GET', `/api/evaluations/table?projectId=${project}&part=all`);
    assert.equal(res.status, 200, res.text);
    const keys = res.body.columns.map((c: { key: string }) => c.key);
    assert.deepEqual(keys, ['top1.full', 'top1.inv', 'top1.equi', 'rotR2.full', 'rotR2.inv', 'rotR2.equi', 'colorR2.full', 'colorR2.inv', 'colorR2.equi', 'MRR', 'H@1', 'H@5', 'PRE']);
    const row = res.body.rows[0];
    assert.deepEqual(['full', 'inv', 'equi'].map((p): unknown => row.cells[`rotR2.${p}`].mean), [0.9, 0.2, 0.7]);
    assert.equal(res.body.columns.find((c: { key: string }) => c.key === 'rotR2.inv').part, 'inv');
    res = await t.request('GET', `/api/evaluations/table?projectId=${project}&part=inv`);
    assert.equal(res.body.rows[0].cells.rotR2.mean, 0.2);
    res = await t.request('GET', `/api/evaluations/table?projectId=${project}&part=all&format=csv`);
    assert.match(res.text.split('\n')[0]!, /Rotation R² \(inv\.\)/);
  });

  void it('the automatic suite of a split method covers the three parts', async () => {
    const run = await succeededRun({ method: 'SIE', config: { equi: 8 }, evaluations: { kinds: ['color'], config: { epochs: 1 } } });
    const items = (await t.request('GET', `/api/runs/${run.id}/evaluations`)).body.items as { kind: string; config: Record<string, unknown> }[];
    assert.deepEqual(items.map((e) => e.config.part).sort(), ['equi', 'full', 'inv']);
  });
});
