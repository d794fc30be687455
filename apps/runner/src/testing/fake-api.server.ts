import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricPoint } from '@equilab/contracts';

export interface RecordedCall {
  readonly method: string;
  readonly path: string;
  readonly token: string;
  readonly body: Record<string, unknown>;
}

/**
 * A small in-test HTTP server speaking the runner ⇄ API protocol (libs/contracts runner-api.ts): it records
 * every call, stores metrics idempotently on (run, key, step), answers 409 to `start` for runs that ended,
 * and can be taken "down" (503) to test retries and spilling. For the runner's tests only.
 */
export class FakeApiServer {
  readonly calls: RecordedCall[] = [];
  /** runId → `${key}@${step}` → point. */
  readonly metrics = new Map<string, Map<string, MetricPoint>>();
  /** runId → last finish status. */
  readonly finished = new Map<string, string>();
  /** runId → the artifact records accepted (what `GET /api/runs/:id/artifacts` lists). */
  readonly artifacts = new Map<string, Array<Record<string, unknown>>>();
  /** Runs whose artifact records are refused with 409, as the API does once a cancel revoked the attempt's token. */
  readonly refuseArtifacts = new Set<string>();
  /** While set, artifact records wait for it (a slow API while a checkpoint is stored); `heldArtifacts` counts them. */
  holdArtifacts: Promise<void> | null = null;
  heldArtifacts = 0;
  /** Answer 503 to everything while true. */
  down = false;
  /** Answer 503 to the next n metric posts. */
  failNextMetrics = 0;
  /** Called after a `finish` was recorded (tests re-queue preempted runs here, as the API does). */
  onFinish: ((runId: string, status: string) => void | Promise<void>) | null = null;
  private server: Server | null = null;

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  callsTo(suffix: string, runId?: string): RecordedCall[] {
    return this.calls.filter(
      (call) => call.path.endsWith(suffix) && (runId === undefined || call.path.includes(runId)),
    );
  }

  /** Steps of `key` stored for a run, sorted. */
  steps(runId: string, key = 'loss'): number[] {
    return [...(this.metrics.get(runId)?.values() ?? [])]
      .filter((point) => point.key === key)
      .map((point) => point.step)
      .sort((a, b) => a - b);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = req.url ?? '';
    const answer = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (this.down) return answer(503, { error: 'down' });
    const body = (chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {}) as Record<
      string,
      unknown
    >;
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    const listing = /^\/api\/runs\/([^/]+)\/artifacts$/.exec(path);
    if (req.method === 'GET' && listing) {
      return answer(200, { items: this.artifacts.get(listing[1]!) ?? [] });
    }
    if (req.method !== 'POST') return answer(404, { error: 'not found' });
    if (path.endsWith('/metrics') && this.failNextMetrics > 0) {
      this.failNextMetrics -= 1;
      return answer(503, { error: 'flaky' });
    }
    this.calls.push({ method: req.method, path, token, body });
    if (path === '/api/runners') return answer(201, { id: randomUUID() });
    if (/^\/api\/runners\/[^/]+\/heartbeat$/.test(path)) return answer(200, { cancelRunIds: [] });
    if (/^\/api\/runners\/[^/]+\/credentials$/.test(path)) {
      // The job's run token: `run-token-<runId>` for a pretrain job `<runId>.<attempt>`.
      const [id = '', attempt = '1'] = String(body.jobId).replace(/^eval-/, '').split('.');
      const evaluation = body.queue === 'evaluate';
      return answer(200, { token: `run-token-${id}`, runId: evaluation ? randomUUID() : id, attempt: Number(attempt) || 1, evaluationId: evaluation ? id : null });
    }
    const report = /^\/api\/evaluations\/([^/]+)\/report$/.exec(path);
    if (report) return answer(200, { id: report[1], status: body.status });
    const match = /^\/api\/runs\/([^/]+)\/(start|progress|metrics|artifacts|finish)$/.exec(path);
    if (!match) return answer(404, { error: 'not found' });
    const runId = match[1]!;
    switch (match[2] as 'start' | 'progress' | 'metrics' | 'artifacts' | 'finish') {
      case 'start': {
        const status = this.finished.get(runId);
        if (status && status !== 'preempted') return answer(409, { code: 'illegal_transition' });
        return answer(200, { status: 'running', attempt: body.attempt, config: {} });
      }
      case 'metrics': {
        const series = this.metrics.get(runId) ?? new Map<string, MetricPoint>();
        this.metrics.set(runId, series);
        for (const point of body.points as MetricPoint[]) series.set(`${point.key}@${point.step}`, point);
        return answer(200, { accepted: (body.points as MetricPoint[]).length });
      }
      case 'artifacts': {
        if (this.holdArtifacts) {
          this.heldArtifacts += 1;
          await this.holdArtifacts;
        }
        if (this.refuseArtifacts.has(runId)) return answer(409, { code: 'illegal_transition' });
        const records = this.artifacts.get(runId) ?? [];
        this.artifacts.set(runId, records);
        const id = randomUUID();
        const existing = records.findIndex((r) => r.path === body.path);
        const record = { id, runId, ...body, createdAt: new Date().toISOString() };
        if (existing >= 0) records[existing] = record;
        else records.push(record);
        return answer(201, { id });
      }
      case 'finish': {
        const status = String(body.status);
        this.finished.set(runId, status);
        await this.onFinish?.(runId, status);
        return answer(200, { status: status === 'preempted' ? 'queued' : status });
      }
      case 'progress':
        return answer(200, { ok: true });
    }
  }
}

/** Poll `check` until it returns a truthy value or `timeoutMs` passes (then throw, naming `what`). */
export async function waitFor<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 30_000,
  everyMs = 50,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
