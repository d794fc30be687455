'use client';

import { useMemo, useState } from 'react';
import { formatNumber, formatValue } from '@/lib/format';

export interface ParallelRow {
  id: string;
  label: string;
  values: Record<string, unknown>;
  metric: number | undefined;
}

interface Axis {
  key: string;
  /** Position in [0, 1] (0 = bottom) of a value. */
  scale: (value: unknown) => number | undefined;
  ticks: Array<{ at: number; label: string }>;
  log: boolean;
}

function makeAxis(key: string, values: unknown[]): Axis {
  const numeric = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (numeric.length === values.filter((v) => v !== undefined && v !== null).length && numeric.length > 0) {
    const min = Math.min(...numeric);
    const max = Math.max(...numeric);
    const log = min > 0 && max / min >= 100;
    const f = (v: number) => (log ? Math.log10(v) : v);
    const span = f(max) - f(min);
    const scale = (v: unknown) => (typeof v === 'number' ? (span === 0 ? 0.5 : (f(v) - f(min)) / span) : undefined);
    const distinct = [...new Set(numeric)].sort((a, b) => a - b);
    const tickValues = distinct.length <= 6 ? distinct : [min, (min + max) / 2, max];
    return { key, scale, log, ticks: tickValues.map((v) => ({ at: scale(v) ?? 0, label: formatNumber(v) })) };
  }
  const categories = [...new Set(values.map((v) => formatValue(v)))].sort();
  const scale = (v: unknown) => {
    const index = categories.indexOf(formatValue(v));
    return index < 0 ? undefined : categories.length === 1 ? 0.5 : index / (categories.length - 1);
  };
  return { key, scale, log: false, ticks: categories.map((c, i) => ({ at: categories.length === 1 ? 0.5 : i / (categories.length - 1), label: c })) };
}

/** Colour from blue (worst) to orange (best) by the metric's rank. */
function colourFor(fraction: number): string {
  const hue = 220 - 190 * fraction;
  return `hsl(${hue}, 75%, 50%)`;
}

/** Parallel coordinates of the varied hyperparameters with the chosen metric as the last axis (hand-rolled SVG). */
export function ParallelCoordinates({ rows, params, metricKey, lowerIsBetter }: { rows: readonly ParallelRow[]; params: readonly string[]; metricKey: string; lowerIsBetter: boolean }) {
  const [hover, setHover] = useState<string | null>(null);
  const axes = useMemo(() => {
    const list = params.map((key) => makeAxis(key, rows.map((r) => r.values[key])));
    list.push(makeAxis(metricKey, rows.map((r) => r.metric)));
    return list;
  }, [rows, params, metricKey]);
  const metricValues = rows.map((r) => r.metric).filter((m): m is number => m !== undefined && Number.isFinite(m));
  const lo = Math.min(...metricValues);
  const hi = Math.max(...metricValues);
  const width = Math.max(640, axes.length * 220);
  const height = 300;
  const top = 36;
  const bottom = 16;
  const left = 110;
  const right = 110;
  const x = (i: number) => left + (axes.length === 1 ? 0 : (i * (width - left - right)) / (axes.length - 1));
  const y = (at: number) => top + (1 - at) * (height - top - bottom);

  return (
    <svg viewBox={`0 0 ${width} ${height}`} className="mx-auto h-auto w-full text-slate-600 dark:text-slate-300" style={{ maxWidth: width, minWidth: Math.min(width, 480) }} role="img" aria-label={`Parallel coordinates of ${params.join(', ')} against ${metricKey}`} data-testid="parallel-coordinates">
      {rows.map((row) => {
        const points = axes.map((axis, i) => {
          const at = axis.key === metricKey && i === axes.length - 1 ? axis.scale(row.metric) : axis.scale(row.values[axis.key]);
          return at === undefined ? null : `${x(i)},${y(at)}`;
        });
        if (points.some((p) => p === null)) return null;
        const fraction = row.metric === undefined || hi === lo ? 0.5 : lowerIsBetter ? (hi - row.metric) / (hi - lo) : (row.metric - lo) / (hi - lo);
        const active = hover === row.id;
        return (
          <polyline
            key={row.id}
            points={points.join(' ')}
            fill="none"
            stroke={row.metric === undefined ? '#94a3b8' : colourFor(fraction)}
            strokeWidth={active ? 3 : 1.5}
            strokeOpacity={hover && !active ? 0.2 : 0.85}
            onMouseEnter={() => setHover(row.id)}
            onMouseLeave={() => setHover(null)}
          >
            <title>{`${row.label}: ${metricKey} = ${row.metric === undefined ? '—' : formatNumber(row.metric)}`}</title>
          </polyline>
        );
      })}
      {axes.map((axis, i) => (
        <g key={axis.key} transform={`translate(${x(i)},0)`}>
          <line y1={y(0)} y2={y(1)} stroke="currentColor" strokeOpacity={0.5} />
          <text y={top - 12} textAnchor="middle" className="fill-current text-[11px] font-semibold">
            {axis.key}
            {axis.log ? ' (log)' : ''}
          </text>
          {axis.ticks.map((tick) => (
            <g key={tick.label} transform={`translate(0,${y(tick.at)})`}>
              <line x1={-4} x2={4} stroke="currentColor" />
              <text x={-7} dy="0.32em" textAnchor="end" className="fill-current text-[10px]">
                {tick.label}
              </text>
            </g>
          ))}
        </g>
      ))}
    </svg>
  );
}
