import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  artifactListSchema,
  registerRunnerResultSchema,
  runCredentialSchema,
  runnerHeartbeatResultSchema,
  type Artifact,
  type ArtifactRecord,
  type EvaluationReport,
  type FinishRun,
  type MetricPoint,
  type Progress,
  type RegisterRunner,
  type RunCredential,
  type RunCredentialRequest,
  type RunnerHeartbeat,
  type RunnerHeartbeatResult,
  type StartRun,
} from '@equilab/contracts';
import { ApiError } from './api.error';
import { backoffDelay, delay, type BackoffOptions } from './backoff';

export interface RetryPolicy extends BackoffOptions {
  /** Tries in all (1 = no retry). */
  readonly attempts: number;
}

export const NO_RETRY: RetryPolicy = { attempts: 1, initialMs: 0, maxMs: 0 };
export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, initialMs: 200, maxMs: 5_000 };
/** For writes a run cannot go on without (artifacts, finish): rides out an API restart of a few minutes. */
export const PATIENT_RETRY: RetryPolicy = { attempts: 25, initialMs: 250, maxMs: 10_000 };

export interface RunnerApiClientOptions {
  readonly baseUrl: string;
  /** Runner token (scope `runner`). */
  readonly runnerToken: string;
  /** Timeout of one HTTP request, milliseconds. */
  readonly requestTimeoutMs?: number;
}

/**
 * The runner side of the runner ⇄ API protocol (libs/contracts `runner-api.ts`). Every call retries
 * network errors, 408, 429 and 5xx with exponential backoff; other 4xx answers throw an ApiError at once.
 */
export class RunnerApiClient {
  private readonly baseUrl: string;

  constructor(private readonly options: RunnerApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  async registerRunner(body: RegisterRunner, retry: RetryPolicy = DEFAULT_RETRY): Promise<string> {
    const result = await this.request('POST', '/api/runners', this.options.runnerToken, body, retry);
    return registerRunnerResultSchema.parse(result).id;
  }

  async heartbeat(
    runnerId: string,
    body: RunnerHeartbeat,
    retry: RetryPolicy = NO_RETRY,
  ): Promise<RunnerHeartbeatResult> {
    const result = await this.request(
      'POST',
      `/api/runners/${runnerId}/heartbeat`,
      this.options.runnerToken,
      body,
      retry,
    );
    const parsed = runnerHeartbeatResultSchema.safeParse(result);
    return parsed.success ? parsed.data : { cancelRunIds: [] };
  }

  /**
   * The run token of a job this runner took (`POST /api/runners/:id/credentials`, runner token): job payloads
   * carry no secret. null when the API answers 409 or 404 — that attempt is over or its run is gone: drop the job.
   */
  async runCredential(
    runnerId: string,
    body: RunCredentialRequest,
    retry: RetryPolicy = PATIENT_RETRY,
  ): Promise<RunCredential | null> {
    try {
      const result = await this.request('POST', `/api/runners/${runnerId}/credentials`, this.options.runnerToken, body, retry);
      return runCredentialSchema.parse(result);
    } catch (error) {
      if (error instanceof ApiError && (error.status === 409 || error.status === 404)) return null;
      throw error;
    }
  }

  /** `accepted` or `rejected` (409: the run was canceled or has finished — drop the job). */
  async startRun(
    runId: string,
    runToken: string,
    body: StartRun,
    retry: RetryPolicy = PATIENT_RETRY,
  ): Promise<'accepted' | 'rejected'> {
    try {
      await this.request('POST', `/api/runs/${runId}/start`, runToken, body, retry);
      return 'accepted';
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) return 'rejected';
      throw error;
    }
  }

  async progress(
    runId: string,
    runToken: string,
    body: Progress,
    retry: RetryPolicy = NO_RETRY,
  ): Promise<void> {
    await this.request('POST', `/api/runs/${runId}/progress`, runToken, body, retry);
  }

  async metrics(
    runId: string,
    runToken: string,
    points: readonly MetricPoint[],
    retry: RetryPolicy = NO_RETRY,
  ): Promise<void> {
    await this.request('POST', `/api/runs/${runId}/metrics`, runToken, { points }, retry);
  }

  async artifact(
    runId: string,
    runToken: string,
    body: Artifact,
    retry: RetryPolicy = PATIENT_RETRY,
  ): Promise<void> {
    await this.request('POST', `/api/runs/${runId}/artifacts`, runToken, body, retry);
  }

  /** The run's recorded artifacts (`GET /api/runs/:id/artifacts`, run token): what a resumed attempt restores. */
  async artifacts(
    runId: string,
    runToken: string,
    retry: RetryPolicy = PATIENT_RETRY,
  ): Promise<ArtifactRecord[]> {
    const result = await this.request('GET', `/api/runs/${runId}/artifacts`, runToken, undefined, retry);
    return artifactListSchema.parse(result).items;
  }

  /** `GET /api/runs/:id/init-weights` (run token): the weights file a fresh attempt starts from, written to `file`. */
  async initWeights(runId: string, runToken: string, file: string, retry: RetryPolicy = PATIENT_RETRY): Promise<number> {
    const path = `/api/runs/${runId}/init-weights`;
    for (let attempt = 0; ; attempt += 1) {
      try {
        let response: Response;
        try {
          response = await fetch(`${this.baseUrl}${path}`, {
            headers: { authorization: `Bearer ${runToken}` },
            signal: AbortSignal.timeout(Math.max(this.options.requestTimeoutMs ?? 15_000, 300_000)),
          });
        } catch (error) {
          throw new ApiError('GET', path, null, error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error));
        }
        if (!response.ok) throw new ApiError('GET', path, response.status, await response.text().catch(() => ''));
        const bytes = new Uint8Array(await response.arrayBuffer());
        await mkdir(dirname(file), { recursive: true });
        await writeFile(`${file}.tmp`, bytes);
        await rename(`${file}.tmp`, file);
        return bytes.length;
      } catch (error) {
        const retryable = !(error instanceof ApiError) || error.retryable;
        if (!retryable || attempt + 1 >= retry.attempts) throw error;
        await delay(backoffDelay(attempt, retry));
      }
    }
  }

  /** `POST /api/evaluations/:id/report` (run token): running, failed or done with the outcome. */
  async reportEvaluation(
    evaluationId: string,
    runToken: string,
    body: EvaluationReport,
    retry: RetryPolicy = PATIENT_RETRY,
  ): Promise<void> {
    try {
      await this.request('POST', `/api/evaluations/${evaluationId}/report`, runToken, body, retry);
    } catch (error) {
      // A final report the API already applied (a retried call whose answer was lost): the token ended with
      // the attempt and the API answers 409 — nothing is left to do.
      if (error instanceof ApiError && error.status === 409 && body.status !== 'running') return;
      throw error;
    }
  }

  async finish(
    runId: string,
    runToken: string,
    body: FinishRun,
    retry: RetryPolicy = PATIENT_RETRY,
  ): Promise<void> {
    try {
      await this.request('POST', `/api/runs/${runId}/finish`, runToken, body, retry);
    } catch (error) {
      // 409: the attempt is already settled (a retried finish whose answer was lost — the run token ended with
      // the attempt — or the run was canceled meanwhile): nothing is left to report.
      if (error instanceof ApiError && error.status === 409) return;
      throw error;
    }
  }

  private async request(
    method: string,
    path: string,
    token: string,
    body: unknown,
    retry: RetryPolicy,
  ): Promise<unknown> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.once(method, path, token, body);
      } catch (error) {
        const retryable = !(error instanceof ApiError) || error.retryable;
        if (!retryable || attempt + 1 >= retry.attempts) throw error;
        await delay(backoffDelay(attempt, retry));
      }
    }
  }

  private async once(method: string, path: string, token: string, body: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 15_000),
      });
    } catch (error) {
      const cause =
        error instanceof Error
          ? ((error.cause as Error | undefined)?.message ?? error.message)
          : String(error);
      throw new ApiError(method, path, null, cause);
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) throw new ApiError(method, path, response.status, text);
    if (!text) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
}
