/** An HTTP error answer of the API, or the API being unreachable (`status` null). */
export class ApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number | null,
    readonly body: string,
  ) {
    super(
      status === null
        ? `${method} ${path}: API unreachable (${body})`
        : `${method} ${path}: HTTP ${status}${body ? `: ${body.slice(0, 500)}` : ''}`,
    );
    this.name = 'ApiError';
  }

  /** Network errors, 408, 429 and 5xx are worth retrying; other 4xx are not. */
  get retryable(): boolean {
    return this.status === null || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}
