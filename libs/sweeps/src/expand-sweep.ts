import { MAX_SWEEP_RUNS, type ErrorIssue, type SweepStrategy } from '@equilab/contracts';
import { isConfigObject, ownEntry, setPath, type ConfigObject } from './config-path';
import { ashaBracketOf, searchConfigurations, type ParamSet, type SearchRequest } from './searchers';
import { SweepError } from './sweep-error';

/** Search-space key that varies the method instead of a config field (one sweep can compare SIE with VICReg). */
export const METHOD_KEY = 'method';
/** Config field holding a run's training seed. */
export const SEED_KEY = 'seed';
/** Config field holding a run's epoch budget (ASHA writes `asha.maxEpochs` there). */
export const EPOCHS_KEY = 'epochs';

/** A sweep request as the API receives it (libs/contracts `createSweepSchema`) and the New sweep form builds it. */
export interface SweepRequest extends SearchRequest {
  readonly method: string;
  readonly baseConfig: ConfigObject;
  /** Per-method overrides on top of `baseConfig`, for spaces that vary `method`. */
  readonly methodConfig?: Readonly<Record<string, ConfigObject>> | undefined;
  readonly strategy: SweepStrategy;
  /** Runs per configuration (default 1): seeds seed … seed+replicates−1. */
  readonly replicates?: number | undefined;
}

/** A problem `parse` found in a run's config: the path inside the config, or `['method']` for the method's name. */
export interface RunConfigIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

export type RunConfigResult<R> = { readonly success: true; readonly data: R } | { readonly success: false; readonly issues: readonly RunConfigIssue[] };

/**
 * Parses one run's method and composed config (the API: the contracts' method schemas, defaults applied) into
 * what the caller keeps of it, e.g. a typed, method-discriminated config.
 */
export type RunConfigParser<R> = (method: string, config: ConfigObject) => RunConfigResult<R>;

export interface ExpandedSweepRun<R> {
  /** Position in the sweep (its runs' order): configIndex·replicates + replicate. */
  readonly index: number;
  /** The configuration's index; its replicates share it. */
  readonly configIndex: number;
  readonly replicate: number;
  /** ASHA: the configuration's bracket (`ashaBracketOf`: Determined's split of the configurations, interleaved). */
  readonly bracket?: number | undefined;
  /** The values the search space gave this run, keyed by config path (and `method`). */
  readonly params: ParamSet;
  /**
   * Training seed, written into the config: the configuration's `seed` (the space's when it varies it, else the
   * base config's, else the sweep's seed) plus the replicate number.
   */
  readonly seed: number;
  /** What the parser made of the run. */
  readonly run: R;
}

/** Which part of the request wrote each part of a run's config, so that a config issue names the request field. */
interface Provenance {
  readonly index: number;
  readonly request: SweepRequest;
  readonly method: string;
  readonly params: ParamSet;
  readonly overrides: ConfigObject | undefined;
  readonly seed: number;
}

const startsWith = (path: readonly string[], prefix: readonly string[]) => prefix.length <= path.length && prefix.every((s, i) => path[i] === s);

function requestField(issue: RunConfigIssue, p: Provenance): ErrorIssue {
  const path = issue.path.map(String);
  const spaceKey = Object.keys(p.params)
    .filter((key) => key !== METHOD_KEY && startsWith(path, key.split('.')))
    .sort((a, b) => b.length - a.length)[0];
  if (spaceKey !== undefined)
    return { path: `searchSpace.${spaceKey}`, message: `${issue.message} (run ${p.index}, value ${JSON.stringify(p.params[spaceKey])})` };
  const head = path[0];
  if (head === SEED_KEY) {
    const written = p.overrides && Object.hasOwn(p.overrides, SEED_KEY) ? `methodConfig.${p.method}.seed` : Object.hasOwn(p.request.baseConfig, SEED_KEY) ? 'baseConfig.seed' : 'seed';
    return { path: written, message: `${issue.message} (run ${p.index}, seed ${p.seed})` };
  }
  if (head !== undefined && p.overrides && Object.hasOwn(p.overrides, head)) return { path: `methodConfig.${p.method}.${path.join('.')}`, message: issue.message };
  if (head !== undefined && Object.hasOwn(p.request.baseConfig, head)) return { path: `baseConfig.${path.join('.')}`, message: issue.message };
  // Nothing in the request wrote `method` into the config: the issue is the method's name.
  if (path.length === 1 && head === METHOD_KEY) return { path: METHOD_KEY in p.params ? `searchSpace.${METHOD_KEY}` : METHOD_KEY, message: issue.message };
  return { path: path.length ? `baseConfig.${path.join('.')}` : 'baseConfig', message: issue.message };
}

/** `baseConfig` with the method's overrides on top, in an object without a prototype. */
function composeBase(base: ConfigObject, overrides: ConfigObject | undefined): ConfigObject {
  const config = Object.create(null) as ConfigObject;
  for (const source of [base, overrides ?? {}]) for (const key of Object.keys(source)) config[key] = source[key];
  return config;
}

/**
 * The runs of a sweep: the searcher's configurations written onto the base config (with the run's method's
 * overrides), each configuration `replicates` times with seeds seed … seed+replicates−1 (the seed is a config
 * field like any other: the same for every configuration unless the space varies it), ASHA's `maxEpochs` as
 * every run's `epochs`, every config parsed once by `parse`. A SweepError names the request field of the first
 * problem (a search-space key, `methodConfig.<method>.…`, `baseConfig.…`, `method`, `replicates`).
 */
export function expandSweep<R>(request: SweepRequest, parse: RunConfigParser<R>): ExpandedSweepRun<R>[] {
  const configurations = searchConfigurations(request.strategy, request);
  const replicates = request.replicates ?? 1;
  if (configurations.length * replicates > MAX_SWEEP_RUNS)
    throw SweepError.field('replicates', `${configurations.length} configurations × ${replicates} replicates = ${configurations.length * replicates} runs; at most ${MAX_SWEEP_RUNS}`);
  const seedVaried = Object.hasOwn(request.searchSpace, SEED_KEY);
  const bracketOf = request.strategy === 'asha' && request.asha ? ashaBracketOf(request.asha) : undefined;
  const runs: ExpandedSweepRun<R>[] = [];
  configurations.forEach((params, configIndex) => {
    let method = request.method;
    if (Object.hasOwn(params, METHOD_KEY)) {
      const value = params[METHOD_KEY];
      if (typeof value !== 'string') throw SweepError.field(`searchSpace.${METHOD_KEY}`, 'values must be method names');
      method = value;
    }
    const overrides = ownEntry(request.methodConfig, method);
    if (overrides !== undefined && !isConfigObject(overrides)) throw SweepError.field(`methodConfig.${method}`, 'must be an object');
    let base = composeBase(request.baseConfig, overrides);
    for (const [path, value] of Object.entries(params)) {
      if (path !== METHOD_KEY) base = setPath(base, path, value, `searchSpace.${path}`);
    }
    if (request.strategy === 'asha' && request.asha) base = setPath(base, EPOCHS_KEY, request.asha.maxEpochs);
    const fixed = seedVaried ? params[SEED_KEY] : Object.hasOwn(base, SEED_KEY) ? base[SEED_KEY] : request.seed;
    for (let replicate = 0; replicate < replicates; replicate++) {
      const index = configIndex * replicates + replicate;
      // A non-number seed is left as it is for the parser to name.
      const seed = typeof fixed === 'number' ? fixed + replicate : request.seed + replicate;
      const config = typeof fixed === 'number' || !Object.hasOwn(base, SEED_KEY) ? setPath(base, SEED_KEY, seed) : base;
      const parsed = parse(method, config);
      if (!parsed.success) {
        const provenance: Provenance = { index, request, method, params, overrides, seed };
        throw new SweepError(parsed.issues.map((issue) => requestField(issue, provenance)));
      }
      const bracket = bracketOf ? (bracketOf[configIndex] ?? 0) : undefined;
      runs.push({ index, configIndex, replicate, ...(bracket !== undefined ? { bracket } : {}), params, seed, run: parsed.data });
    }
  });
  return runs;
}
