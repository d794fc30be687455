import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository root: the nearest ancestor of `from` holding turbo.json. */
export function findRepoRoot(from: string = __dirname): string {
  let dir = path.resolve(from);
  for (;;) {
    if (fs.existsSync(path.join(dir, 'turbo.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no turbo.json above ${from}: cannot locate the repository root`);
    dir = parent;
  }
}

/** Golden folder: env SIE_GOLDEN_DIR, else `<repo root>/../shared/golden`. */
export function goldenDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env['SIE_GOLDEN_DIR'];
  if (fromEnv) return path.resolve(fromEnv);
  return path.resolve(findRepoRoot(), '..', 'shared', 'golden');
}

export type GoldenKind = 'method' | 'backbone' | 'relative_rotation' | 'metrics';

/** Classifies a golden file by its content (never its name); null when it is none of the known kinds. */
export function classifyGolden(json: unknown): GoldenKind | null {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return null;
  const o = json as Record<string, unknown>;
  if (typeof o['method'] === 'string') return 'method';
  if (o['kind'] === 'backbone') return 'backbone';
  if (o['name'] === 'relative_rotation') return 'relative_rotation';
  if (o['name'] === 'metrics') return 'metrics';
  return null;
}
