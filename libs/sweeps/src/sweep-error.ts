import type { ErrorIssue } from '@equilab/contracts';

/**
 * A sweep request that cannot be expanded. Each issue names the request field responsible (`searchSpace.base_lr.max`,
 * `baseConfig.epochs`, `count`), so the API answers 400 with it and the New sweep form marks that field.
 */
export class SweepError extends Error {
  constructor(readonly issues: readonly ErrorIssue[]) {
    super(`invalid sweep: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
    this.name = 'SweepError';
  }

  static field(path: string, message: string): SweepError {
    return new SweepError([{ path, message }]);
  }
}
