/** What went wrong while reading, loading or generating a dataset. */
export const DATA_ERROR_CODES = [
  'INVALID_OPTION',
  'ROOT_MISSING',
  'FILE_MISSING',
  'NPY_MALFORMED',
  'NPY_UNSUPPORTED',
  'SPLIT_MISMATCH',
  'LABEL_OUT_OF_RANGE',
  'TOO_FEW_VIEWS',
  'IMAGE_UNREADABLE',
  'LATENT_INVALID',
  'WORKER_FAILED',
] as const;
export type DataErrorCode = (typeof DATA_ERROR_CODES)[number];

/**
 * The one error type of `@equilab/data`. The message is a single line `"<path or field>: <reason>"`, so the CLI
 * can print it as is.
 */
export class DataError extends Error {
  constructor(
    readonly code: DataErrorCode,
    /** File, folder or option the error is about. */
    readonly subject: string,
    readonly reason: string,
  ) {
    super(`${subject}: ${reason}`);
    this.name = 'DataError';
  }

  /** Plain-object form, to cross a worker_threads boundary. */
  toJSON(): { code: DataErrorCode; subject: string; reason: string } {
    return { code: this.code, subject: this.subject, reason: this.reason };
  }

  static fromJSON(value: { code: DataErrorCode; subject: string; reason: string }): DataError {
    return new DataError(value.code, value.subject, value.reason);
  }
}

export function isDataError(error: unknown): error is DataError {
  return error instanceof DataError;
}
