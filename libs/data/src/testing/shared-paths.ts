import path from 'node:path';

/** Repository root (this file is libs/data/{src,dist}/testing/shared-paths.*). */
export const repoRoot = path.resolve(__dirname, '../../../..');

/** The read-only reference folder beside the repository (`../shared`). */
export const sharedDir = path.resolve(repoRoot, '../shared');

export const splitFixturesDir = path.join(sharedDir, 'fixtures/3diebench-splits');

export function goldenDir(): string {
  return process.env.SIE_GOLDEN_DIR ?? path.join(sharedDir, 'golden');
}
