import { ashaOptionsSchema, type AshaOptions } from '@equilab/contracts';
import { ashaRungs, ashaStops, nextAshaJob, type AshaResult, type AshaTrial } from '@equilab/sweeps';
import type { Prisma, Run as RunRow, RungResult as RungResultRow, Sweep as SweepRow } from '../generated/prisma/client';

/**
 * ASHA's decisions on PostgreSQL state. `ashaFill` runs inside DispatchService.fillSweep's transaction, under the
 * sweep's advisory lock: it reads the sweep's runs and rung results, asks libs/sweeps' `nextAshaJob` once per free
 * slot (within maxConcurrency), and applies each decision with conditional updates (`paused` at rung k → `queued`
 * at rung k+1), so two API replicas serialise on the lock and the second sees the first's promotions; a crash
 * before the commit leaves nothing half-decided. A trial is one configuration (`sweepConfig`) with all of its
 * replicates: its rung value is the mean of its runs' values, and it is promoted as a whole.
 */

export function ashaOptionsOf(sweep: Pick<SweepRow, 'asha'>): AshaOptions | null {
  return sweep.asha === null ? null : ashaOptionsSchema.parse(sweep.asha);
}

/** The epochs the current attempt of an ASHA run trains to (its rung's budget); null for other runs. */
export function attemptEpochs(run: Pick<RunRow, 'rung' | 'bracket'>, options: AshaOptions | null): number | null {
  if (options === null || run.rung === null) return null;
  const ladder = ashaRungs(options, run.bracket ?? 0);
  return ladder[Math.min(run.rung, ladder.length - 1)]!;
}

/** Is `run`'s current rung the last of its bracket (reaching it finishes the run)? */
export function isLastRung(run: Pick<RunRow, 'rung' | 'bracket'>, options: AshaOptions): boolean {
  return run.rung !== null && run.rung >= ashaRungs(options, run.bracket ?? 0).length - 1;
}

const holdsSlot = (r: Pick<RunRow, 'status' | 'enqueuedAt'>) => r.status === 'running' || r.status === 'preempted' || (r.status === 'queued' && r.enqueuedAt !== null);
const waits = (r: Pick<RunRow, 'status' | 'enqueuedAt'>) => r.status === 'queued' && r.enqueuedAt === null;

type Row = Pick<RunRow, 'id' | 'status' | 'enqueuedAt' | 'rung' | 'bracket' | 'sweepConfig' | 'sweepIndex' | 'attempt'>;

/** The searcher's view of the sweep: one trial per configuration, one result per trial and rung. */
export function ashaState(runs: readonly Row[], rows: readonly Pick<RungResultRow, 'runId' | 'rung' | 'value' | 'promoted'>[]): { trials: AshaTrial[]; results: AshaResult[] } {
  const configs = new Map<number, Row[]>();
  for (const run of runs) {
    const key = run.sweepConfig ?? run.sweepIndex ?? 0;
    configs.set(key, [...(configs.get(key) ?? []), run]);
  }
  const rowsOf = new Map<string, Pick<RungResultRow, 'runId' | 'rung' | 'value' | 'promoted'>[]>();
  for (const row of rows) rowsOf.set(row.runId, [...(rowsOf.get(row.runId) ?? []), row]);
  const trials: AshaTrial[] = [];
  const results: AshaResult[] = [];
  for (const [config, members] of configs) {
    const id = String(config);
    const bracket = members[0]!.bracket ?? 0;
    const rung = Math.max(...members.map((m) => m.rung ?? 0));
    const memberRows = members.flatMap((m) => rowsOf.get(m.id) ?? []);
    const active = members.some((m) => holdsSlot(m) || waits(m));
    const pending = members.every((m) => waits(m) && (m.rung ?? 0) === 0) && memberRows.length === 0;
    const state: AshaTrial['state'] = pending ? 'pending' : active ? 'active' : members.some((m) => m.status === 'paused') ? 'paused' : 'done';
    trials.push({ id, index: config, bracket, state, rung });
    const reachedRungs = new Set(memberRows.map((r) => r.rung));
    for (const k of reachedRungs) {
      // The trial's result at rung k exists once none of its runs still trains toward k.
      if (members.some((m) => (holdsSlot(m) || waits(m)) && (m.rung ?? 0) <= k)) continue;
      const atK = memberRows.filter((r) => r.rung === k);
      const values = atK.map((r) => r.value).filter((v): v is number => v !== null && Number.isFinite(v));
      results.push({ trialId: id, bracket, rung: k, value: values.length ? values.reduce((a, b) => a + b, 0) / values.length : null, promoted: atK.some((r) => r.promoted) });
    }
  }
  return { trials, results };
}

/**
 * Fill the free slots of an ASHA sweep (promotions first, then new configurations) and stop its paused runs once
 * nothing is left to decide. Returns the runs whose attempt now holds a slot (the caller adds their jobs).
 */
export async function ashaFill(tx: Prisma.TransactionClient, sweep: SweepRow, options: AshaOptions): Promise<RunRow[]> {
  const runs = await tx.run.findMany({ where: { sweepId: sweep.id }, orderBy: { sweepIndex: 'asc' } });
  const rows = await tx.rungResult.findMany({ where: { sweepId: sweep.id } });
  const now = new Date();
  const local = new Map(runs.map((r) => [r.id, r]));
  const enqueued: RunRow[] = [];
  let free = sweep.maxConcurrency - runs.filter(holdsSlot).length;

  const enqueue = async (run: RunRow): Promise<void> => {
    const updated = await tx.run.updateMany({ where: { id: run.id, status: 'queued', enqueuedAt: null }, data: { enqueuedAt: now } });
    if (updated.count === 0) return;
    const next = { ...run, enqueuedAt: now };
    local.set(run.id, next);
    enqueued.push(next);
    free -= 1;
  };

  for (let guard = 0; free > 0 && guard < 10_000; guard++) {
    const all = [...local.values()];
    const { trials, results } = ashaState(all, rows);
    const started = new Set(trials.filter((t) => t.state !== 'pending').map((t) => t.id));
    // Runs of decided trials (a promoted trial's replicates, a started trial's other replicates) come first.
    const waiting = all
      .filter((r) => waits(r) && started.has(String(r.sweepConfig ?? r.sweepIndex ?? 0)))
      .sort((a, b) => (b.rung ?? 0) - (a.rung ?? 0) || (a.sweepIndex ?? 0) - (b.sweepIndex ?? 0));
    if (waiting[0]) {
      await enqueue(waiting[0]);
      continue;
    }
    const decision = nextAshaJob(options, trials, results);
    if (!decision) break;
    const members = all.filter((r) => String(r.sweepConfig ?? r.sweepIndex ?? 0) === decision.trialId);
    if (decision.kind === 'start') {
      const first = members.find(waits);
      if (!first) break;
      await enqueue(first);
      continue;
    }
    const promoted = members.filter((r) => r.status === 'paused' && r.rung === decision.fromRung);
    for (const run of promoted) {
      const updated = await tx.run.updateMany({
        where: { id: run.id, status: 'paused', rung: decision.fromRung },
        data: { status: 'queued', rung: decision.toRung, attempt: run.attempt + 1, enqueuedAt: null, error: null },
      });
      if (updated.count === 1) local.set(run.id, { ...run, status: 'queued', rung: decision.toRung, attempt: run.attempt + 1, enqueuedAt: null, error: null });
    }
    const ids = promoted.map((r) => r.id);
    await tx.rungResult.updateMany({ where: { runId: { in: ids }, rung: decision.fromRung }, data: { promoted: true } });
    for (const row of rows) if (ids.includes(row.runId) && row.rung === decision.fromRung) row.promoted = true;
    if (promoted.length === 0) break;
  }

  const { trials, results } = ashaState([...local.values()], rows);
  const stops = new Set(ashaStops(options, trials, results));
  if (stops.size > 0) {
    const ids = [...local.values()].filter((r) => r.status === 'paused' && stops.has(String(r.sweepConfig ?? r.sweepIndex ?? 0))).map((r) => r.id);
    await tx.run.updateMany({ where: { id: { in: ids }, status: 'paused' }, data: { status: 'stopped', finishedAt: now } });
  }
  return enqueued;
}
