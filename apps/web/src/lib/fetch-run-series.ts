import { decodeColumnarSeries, type ColumnarSeriesResponse, type SeriesBand, type SeriesPoint } from '@equilab/contracts';
import { api, ApiError } from './api.client';
import { fetchMetricSummary } from './metric-summaries';

/** Series points per run id, then per metric key. */
export type SeriesByRun = Record<string, Record<string, SeriesPoint[]>>;
/** The downsampling buckets' min/max per run id, then per metric key (only series that were downsampled). */
export type BandsByRun = Record<string, Record<string, SeriesBand[]>>;

/** Runs per compare request: requests go out in parallel, and each stays far below MAX_COMPARE_SERIES keys. */
const RUNS_PER_REQUEST = 10;
/** Keys per request when a run has more series than one request may hold. */
const KEY_CHUNK = 100;

export interface SeriesWindow {
  readonly points: number;
  readonly fromStep?: number | undefined;
  readonly toStep?: number | undefined;
}

/** Adds a columnar compare response to the maps (every series its key, downsampled or not). */
function add(response: ColumnarSeriesResponse, series: SeriesByRun, bands: BandsByRun): void {
  for (const wire of response.series) {
    const s = decodeColumnarSeries(wire);
    const points = new Array<SeriesPoint>(s.steps.length);
    for (let i = 0; i < points.length; i++) points[i] = { step: s.steps[i]!, value: s.values[i]!, time: s.times[i]! };
    (series[s.runId] ??= {})[s.key] = points;
    bands[s.runId] ??= {};
    const b = s.band;
    if (b && b.fromStep.length > 0) {
      bands[s.runId]![s.key] = b.fromStep.map((fromStep, i) => ({ fromStep, toStep: b.toStep[i]!, count: b.count[i]!, min: b.min[i]!, max: b.max[i]! }));
    }
  }
}

/** The columnar compare read of `runIds` × `keys` (every key the runs have when `keys` is left out). */
function compare(runIds: readonly string[], keys: readonly string[] | undefined, window: SeriesWindow, signal: AbortSignal): Promise<ColumnarSeriesResponse> {
  return api<ColumnarSeriesResponse>('/metrics/compare', { query: { runIds, keys, format: 'columnar', ...window }, signal });
}

/** A run with more series than one compare request may hold: its keys from the summary, a chunk at a time. */
async function loadRunByKeys(runId: string, window: SeriesWindow, signal: AbortSignal, series: SeriesByRun, bands: BandsByRun): Promise<void> {
  const keys = (await fetchMetricSummary(runId, signal)).map((m) => m.key);
  series[runId] ??= {};
  bands[runId] ??= {};
  for (let i = 0; i < keys.length; i += KEY_CHUNK) add(await compare([runId], keys.slice(i, i + KEY_CHUNK), window, signal), series, bands);
}

/**
 * The downsampled series of every metric of `runIds`: one columnar `/metrics/compare` request per
 * RUNS_PER_REQUEST runs, all in parallel (keys omitted: the API returns every key of those runs). A group whose
 * runs hold more than MAX_COMPARE_SERIES series (the API answers 400 on `keys`) is read run by run.
 */
export async function fetchRunSeries(runIds: readonly string[], window: SeriesWindow, signal: AbortSignal): Promise<{ series: SeriesByRun; bands: BandsByRun }> {
  const series: SeriesByRun = {};
  const bands: BandsByRun = {};
  const groups: string[][] = [];
  for (let i = 0; i < runIds.length; i += RUNS_PER_REQUEST) groups.push(runIds.slice(i, i + RUNS_PER_REQUEST));
  const tooMany = (error: unknown) => error instanceof ApiError && error.status === 400 && error.issues.some((issue) => issue.path === 'keys');
  await Promise.all(
    groups.map(async (group) => {
      try {
        add(await compare(group, undefined, window, signal), series, bands);
      } catch (error) {
        if (!tooMany(error)) throw error;
        await Promise.all(
          group.map(async (id) => {
            try {
              add(await compare([id], undefined, window, signal), series, bands);
            } catch (inner) {
              if (!tooMany(inner)) throw inner;
              await loadRunByKeys(id, window, signal, series, bands);
            }
          }),
        );
      }
    }),
  );
  for (const id of runIds) {
    series[id] ??= {};
    bands[id] ??= {};
  }
  return { series, bands };
}
