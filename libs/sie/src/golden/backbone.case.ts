/**
 * Checks one `"kind": "backbone"` golden case (see ../../../../shared/golden/README.md). Owned by the backbone:
 * throws an AssertionError on mismatch. Until the backbone exists it reports itself as not implemented.
 */
export const backboneCaseImplemented = false;

export function checkBackboneCase(_golden: unknown): void {
  throw new Error('backbone golden check not implemented yet');
}
