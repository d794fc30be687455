'use client';

import type { Run, SweepDetail } from '@equilab/contracts';
import Link from 'next/link';
import { Panel } from '@/components/panel';
import { formatNumber, formatValue } from '@/lib/format';
import type { BestRun, ParameterImportance, SweepPoint } from '@/lib/sweep-analysis';

/** The winner so far: its metric, its varied parameters, a link; and the compute spent against a full grid. */
export function BestRunPanel({ sweep, best, metricKey }: { sweep: SweepDetail; best: BestRun | null; metricKey: string }) {
  const run: Run | undefined = best ? sweep.runs.find((r) => r.id === best.runId) : undefined;
  const { spentEpochs, gridEpochs } = sweep.compute;
  return (
    <Panel id="best-title" title="Best run" className="mb-4" testId="best-run">
      {run && best ? (
        <div className="flex flex-wrap items-start gap-6 text-sm">
          <div>
            <Link href={`/runs/${run.id}`} className="font-medium text-sky-700 hover:underline dark:text-sky-400" data-testid="best-run-link">
              {run.name}
            </Link>
            <p className="text-xs text-slate-500">
              {metricKey} <span className="font-mono" data-testid="best-run-value">{formatNumber(best.value)}</span>
              {best.epochs !== undefined ? ` at ${best.epochs} epochs` : ''} · seed {run.seed} · {run.status}
            </p>
          </div>
          <table className="text-xs">
            <tbody>
              {Object.entries(run.sweepParams ?? {}).map(([key, value]) => (
                <tr key={key}>
                  <td className="pr-3 font-mono text-slate-500">{key}</td>
                  <td className="font-mono">{formatValue(value)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="text-sm text-slate-500">No result yet.</p>
      )}
      <p className="mt-2 text-xs text-slate-500" data-testid="sweep-compute">
        Compute: {formatNumber(spentEpochs)} run-epochs of {formatNumber(gridEpochs)} for a full grid of these configurations
        {gridEpochs > 0 ? ` (${((100 * spentEpochs) / gridEpochs).toFixed(1)} %)` : ''}
      </p>
    </Panel>
  );
}

/** ASHA's rungs: per bracket and rung, the runs that reached it with their metric, best first; promoted ones marked. */
export function RungsPanel({ sweep }: { sweep: SweepDetail }) {
  if (!sweep.asha) return null;
  const names = new Map(sweep.runs.map((r) => [r.id, r.name]));
  const sign = sweep.asha.mode === 'min' ? 1 : -1;
  return (
    <Panel id="rungs-title" title={`Rungs (η ${sweep.asha.eta}, by ${sweep.asha.metric}, ${sweep.asha.mode})`} className="mb-4" testId="sweep-rungs">
      {sweep.rungs.length === 0 ? <p className="text-sm text-slate-500">No run has reached its first rung yet.</p> : null}
      <div className="space-y-3">
        {sweep.rungs.map((rung) => {
          const sorted = [...rung.results].sort((a, b) => (a.value === null ? 1 : b.value === null ? -1 : sign * (a.value - b.value)));
          return (
            <div key={`${rung.bracket}:${rung.rung}`} data-testid="rung" data-rung={rung.rung}>
              <p className="text-xs font-medium">
                {sweep.asha!.brackets > 1 ? `bracket ${rung.bracket} · ` : ''}rung {rung.rung} · {rung.epochs} epochs · {rung.results.length} reached · {rung.results.filter((r) => r.promoted).length} promoted
              </p>
              <ul className="mt-1 flex flex-wrap gap-1 text-xs">
                {sorted.map((r) => (
                  <li key={r.runId} className={`rounded border px-1.5 py-0.5 font-mono ${r.promoted ? 'border-emerald-500 bg-emerald-50 dark:bg-emerald-950/40' : 'border-slate-200 dark:border-slate-700'}`} title={r.promoted ? 'promoted' : 'not promoted'}>
                    <Link href={`/runs/${r.runId}`} className="hover:underline">
                      {names.get(r.runId) ?? r.runId.slice(0, 8)}
                    </Link>{' '}
                    {r.value === null ? '—' : formatNumber(r.value)}
                    {r.promoted ? ' ↑' : ''}
                  </li>
                ))}
              </ul>
            </div>
          );
        })}
      </div>
    </Panel>
  );
}

/** Correlation (Spearman) and importance (η² over value groups) of each varied parameter against the metric. */
export function ImportancePanel({ importance, metricKey, basis }: { importance: readonly ParameterImportance[]; metricKey: string; basis: string }) {
  return (
    <Panel id="importance-title" title={`Parameter importance for ${metricKey || 'the metric'}`} className="mb-4" testId="parameter-importance">
      {importance.length === 0 ? (
        <p className="text-sm text-slate-500">Needs values of the metric from at least two runs.</p>
      ) : (
        <table className="text-sm">
          <thead>
            <tr className="text-left text-xs text-slate-500">
              <th className="pr-4">Parameter</th>
              <th className="pr-4">Correlation</th>
              <th>Importance</th>
            </tr>
          </thead>
          <tbody>
            {importance.map((p) => (
              <tr key={p.param} data-param={p.param}>
                <td className="pr-4 font-mono text-xs">{p.param}</td>
                <td className={`pr-4 font-mono text-xs ${p.correlation === null ? 'text-slate-400' : p.correlation < 0 ? 'text-rose-600' : 'text-emerald-600'}`}>{p.correlation === null ? '—' : p.correlation.toFixed(2)}</td>
                <td>
                  <div className="flex items-center gap-2">
                    <div className="h-2 w-32 rounded bg-slate-100 dark:bg-slate-800">
                      <div className="h-2 rounded bg-sky-500" style={{ width: `${Math.round(100 * p.importance)}%` }} />
                    </div>
                    <span className="font-mono text-xs">{p.importance.toFixed(2)}</span>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="mt-2 text-xs text-slate-500">
        Correlation: Spearman’s ρ of a numeric parameter with the metric. Importance: the share of the metric’s variance explained by the parameter’s value (η², numeric values in 4 quantile bins). {basis}
      </p>
    </Panel>
  );
}

const W = 220;
const H = 140;
const PAD = 28;

/** One scatter per numeric parameter: the metric against the parameter (log axis when it spans ≥ 100×). */
export function ScatterPanel({ points, params, metricKey }: { points: readonly SweepPoint[]; params: readonly string[]; metricKey: string }) {
  const numeric = params.filter((p) => points.length > 0 && points.every((pt) => pt.params[p] === undefined || typeof pt.params[p] === 'number'));
  if (numeric.length === 0 || points.length === 0) return null;
  const ys = points.map((p) => p.value);
  const [ymin, ymax] = [Math.min(...ys), Math.max(...ys)];
  return (
    <Panel id="scatter-title" title={`${metricKey} against each numeric parameter`} className="mb-4" testId="parameter-scatter">
      <div className="flex flex-wrap gap-4">
        {numeric.map((param) => {
          const xs = points.map((p) => p.params[param]).filter((v): v is number => typeof v === 'number');
          const [xmin, xmax] = [Math.min(...xs), Math.max(...xs)];
          const log = xmin > 0 && xmax / xmin >= 100;
          const f = (v: number) => (log ? Math.log10(v) : v);
          const sx = (v: number) => PAD + (f(xmax) === f(xmin) ? 0.5 : (f(v) - f(xmin)) / (f(xmax) - f(xmin))) * (W - PAD - 8);
          const sy = (v: number) => H - PAD - (ymax === ymin ? 0.5 : (v - ymin) / (ymax - ymin)) * (H - PAD - 8);
          return (
            <figure key={param} data-param={param}>
              <svg width={W} height={H} role="img" aria-label={`${metricKey} against ${param}`} className="text-slate-400">
                <line x1={PAD} y1={H - PAD} x2={W - 8} y2={H - PAD} stroke="currentColor" />
                <line x1={PAD} y1={8} x2={PAD} y2={H - PAD} stroke="currentColor" />
                <text x={PAD} y={H - 10} fontSize="9" fill="currentColor">{formatNumber(xmin)}</text>
                <text x={W - 8} y={H - 10} fontSize="9" textAnchor="end" fill="currentColor">{formatNumber(xmax)}</text>
                <text x={2} y={12} fontSize="9" fill="currentColor">{formatNumber(ymax)}</text>
                <text x={2} y={H - PAD} fontSize="9" fill="currentColor">{formatNumber(ymin)}</text>
                {points.map((p) => {
                  const x = p.params[param];
                  return typeof x === 'number' ? (
                    <circle key={p.runId} cx={sx(x)} cy={sy(p.value)} r={3} className="fill-sky-600">
                      <title>{`${param} ${formatNumber(x)} → ${formatNumber(p.value)}`}</title>
                    </circle>
                  ) : null;
                })}
              </svg>
              <figcaption className="text-center font-mono text-xs">
                {param}
                {log ? ' (log)' : ''}
              </figcaption>
            </figure>
          );
        })}
      </div>
    </Panel>
  );
}
