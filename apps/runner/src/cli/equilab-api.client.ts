import { projectListSchema, projectSchema, type Project } from '@equilab/contracts';
import { ApiError } from '../api-client/api.error';

export interface EquilabApiClientOptions {
  /** API root, e.g. http://127.0.0.1:4000 (the `/api` prefix is added here). */
  readonly baseUrl: string;
  /** A user API token (admin scope), sent as `Authorization: Bearer`. */
  readonly token: string;
  readonly requestTimeoutMs?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * The user side of the REST API for the `equilab` command line (import/export): one request per call, no
 * retries (a person is waiting and re-runs the command); errors are ApiErrors carrying the API's message.
 */
export class EquilabApiClient {
  private readonly baseUrl: string;

  constructor(private readonly options: EquilabApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  /** A project by id, or by exact name (an unknown or ambiguous name is an error naming `--project`). */
  async resolveProject(idOrName: string): Promise<Project> {
    if (isUuid(idOrName)) return projectSchema.parse(await this.json('GET', `/api/projects/${idOrName}`));
    const { items } = projectListSchema.parse(await this.json('GET', '/api/projects'));
    const matches = items.filter((p) => p.name === idOrName);
    if (matches.length === 1) return matches[0] as Project;
    throw new Error(
      matches.length === 0
        ? `--project: no project named '${idOrName}' (projects: ${items.map((p) => p.name).join(', ') || 'none'})`
        : `--project: ${matches.length} projects are named '${idOrName}'; pass its id`,
    );
  }

  async json(method: string, path: string, body?: RequestInit['body']): Promise<unknown> {
    const text = Buffer.from(await this.bytes(method, path, body)).toString('utf8');
    if (!text) return undefined;
    return JSON.parse(text) as unknown;
  }

  /** The answer's bytes; a non-2xx answer throws an ApiError with the API's error body. */
  async bytes(method: string, path: string, body?: RequestInit['body']): Promise<Uint8Array> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.options.token}` },
        ...(body !== undefined ? { body } : {}),
        signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 120_000),
      });
    } catch (error) {
      const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
      throw new ApiError(method, path, null, cause);
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (!response.ok) throw new ApiError(method, path, response.status, Buffer.from(bytes).toString('utf8'));
    return bytes;
  }
}
