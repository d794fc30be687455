import { MAX_SWEEP_RUNS, type ExpandedRun, type SearchParam, type SearchSpace } from '@equilab/contracts';
import { AppError } from '../common/app-error';

/** mulberry32: small, seedable, good enough for hyper-parameter sampling. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A copy of `config` with `value` at the dotted `path` (intermediate objects created). */
export function setPath(config: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const root = structuredClone(config);
  const parts = path.split('.');
  let node: Record<string, unknown> = root;
  for (const part of parts.slice(0, -1)) {
    const child = node[part];
    if (!child || typeof child !== 'object' || Array.isArray(child)) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
  return root;
}

function checkSpace(space: SearchSpace, strategy: 'grid' | 'random'): void {
  const entries = Object.entries(space);
  if (entries.length === 0) throw AppError.field('searchSpace', 'must name at least one config field');
  for (const [key, param] of entries) {
    if (strategy === 'grid' && param.distribution !== 'choice') {
      throw AppError.field(`searchSpace.${key}.distribution`, `grid sweeps take only "choice" (got "${param.distribution}"); use strategy "random"`);
    }
    if (param.distribution !== 'choice' && param.min > param.max) {
      throw AppError.field(`searchSpace.${key}.max`, `must be ≥ min (${param.min})`);
    }
  }
}

function sample(param: SearchParam, u: () => number): unknown {
  switch (param.distribution) {
    case 'choice':
      return param.values[Math.min(param.values.length - 1, Math.floor(u() * param.values.length))];
    case 'uniform':
      return param.min + u() * (param.max - param.min);
    case 'log-uniform':
      return Math.exp(Math.log(param.min) + u() * (Math.log(param.max) - Math.log(param.min)));
    case 'int-uniform':
      return Math.min(param.max, param.min + Math.floor(u() * (param.max - param.min + 1)));
  }
}

/**
 * The parameter sets of a sweep: grid = cartesian product of every `choice` (first key varies slowest);
 * random = `count` draws from a PRNG seeded with `seed` (same seed, same runs).
 */
export function expandParams(space: SearchSpace, strategy: 'grid' | 'random', seed: number, count: number | undefined): Record<string, unknown>[] {
  checkSpace(space, strategy);
  const entries = Object.entries(space);
  if (strategy === 'random') {
    if (count === undefined) throw AppError.field('count', 'random sweeps need a count');
    const u = mulberry32(seed);
    return Array.from({ length: count }, () => Object.fromEntries(entries.map(([key, param]) => [key, sample(param, u)])));
  }
  const total = entries.reduce((n, [, p]) => n * (p.distribution === 'choice' ? p.values.length : 1), 1);
  if (total > MAX_SWEEP_RUNS) throw AppError.field('searchSpace', `the grid has ${total} points; at most ${MAX_SWEEP_RUNS}`);
  let combos: Record<string, unknown>[] = [{}];
  for (const [key, param] of entries) {
    const values = param.distribution === 'choice' ? param.values : [];
    combos = combos.flatMap((combo) => values.map((value) => ({ ...combo, [key]: value })));
  }
  return combos;
}

/** Search-space key that varies the method instead of a config field. */
export const METHOD_KEY = 'method';

/**
 * Expanded runs: params applied onto the base config, each validated by `resolve` (the schema of the run's
 * method: `params.method` when the search space varies it, else `input.method`).
 */
export function expandSweep(
  input: {
    method: string;
    baseConfig: Record<string, unknown>;
    methodConfig?: Record<string, Record<string, unknown>> | undefined;
    searchSpace: SearchSpace;
    strategy: 'grid' | 'random';
    seed: number;
    count?: number | undefined;
  },
  resolve: (config: Record<string, unknown>, method: string) => Record<string, unknown>,
): ExpandedRun[] {
  const paramSets = expandParams(input.searchSpace, input.strategy, input.seed, input.count);
  const keys = Object.keys(input.searchSpace);
  return paramSets.map((params, index) => {
    let method = input.method;
    const methodParam = params[METHOD_KEY];
    if (methodParam !== undefined) {
      if (typeof methodParam !== 'string') throw AppError.field(`searchSpace.${METHOD_KEY}`, 'values must be method names');
      method = methodParam;
    }
    const overrides = input.methodConfig?.[method] ?? {};
    let config: Record<string, unknown> = { ...input.baseConfig, ...overrides };
    for (const [path, value] of Object.entries(params)) if (path !== METHOD_KEY) config = setPath(config, path, value);
    try {
      return { index, method, params, config: resolve(config, method), seed: input.seed + index };
    } catch (error) {
      if (!(error instanceof AppError) || !error.issues) throw error;
      // Name the sweep field responsible: a search-space key, else the base config.
      throw AppError.validation(
        error.issues.map((issue) => {
          const path = issue.path.replace(/^config\.?/, '');
          const key = keys.find((k) => path === k || path.startsWith(`${k}.`));
          return key
            ? { path: `searchSpace.${key}`, message: `${issue.message} (run ${index}, value ${JSON.stringify(params[key])})` }
            : path.split('.')[0]! in overrides
              ? { path: `methodConfig.${method}.${path}`, message: issue.message }
              : { path: path ? `baseConfig.${path}` : 'baseConfig', message: issue.message };
        }),
      );
    }
  });
}
