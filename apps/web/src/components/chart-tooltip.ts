import type uPlot from 'uplot';
import { valueNear } from '@/lib/chart-data';
import { formatNumber } from '@/lib/format';

/** What the tooltip shows of one drawn line: its label and colour, and the uPlot series of its raw curve if any. */
export interface TooltipLine {
  label: string;
  colour: string;
  /** uPlot series index of the line. */
  index: number;
  /** uPlot series index of the faint raw curve (smoothing on). */
  rawIndex?: number | undefined;
}

function element(tag: string, className: string, text?: string): HTMLElement {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * A uPlot plugin drawing a tooltip inside the plot area of the hovered chart (not of the charts whose cursor is
 * moved by the sync): the x value, then each line's value at the cursor (the nearest logged point when the line
 * has none at that x, as runs log at different steps), smoothed and raw. Built with DOM nodes and textContent
 * (labels are user text). uPlot's own legend would show the values too, but below the chart, one row per series
 * including the band edges.
 */
export function tooltipPlugin(lines: () => readonly TooltipLine[], xLabel: () => string): uPlot.Plugin {
  let tooltip: HTMLElement | null = null;
  let hovered = false;
  const hide = () => {
    if (tooltip) tooltip.style.display = 'none';
  };
  return {
    hooks: {
      init: (u) => {
        tooltip = element('div', 'pointer-events-none absolute z-10 min-w-32 max-w-72 rounded border border-slate-300 bg-white/95 px-2 py-1 text-xs shadow-md dark:border-slate-700 dark:bg-slate-900/95');
        tooltip.dataset.testid = 'chart-tooltip';
        tooltip.style.display = 'none';
        u.over.appendChild(tooltip);
        u.over.addEventListener('mouseenter', () => {
          hovered = true;
        });
        // Also on a move: a chart rebuilt under a resting pointer gets no mouseenter.
        u.over.addEventListener('mousemove', () => {
          hovered = true;
        });
        u.over.addEventListener('mouseleave', () => {
          hovered = false;
          hide();
        });
      },
      setCursor: (u) => {
        const idx = u.cursor.idx;
        const left = u.cursor.left ?? -1;
        if (!tooltip || !hovered || idx === null || idx === undefined || left < 0) {
          hide();
          return;
        }
        const xs = u.data[0];
        tooltip.replaceChildren();
        const header = element('div', 'mb-0.5 font-semibold text-slate-600 dark:text-slate-300', `${xLabel()} ${formatNumber(xs[idx] ?? 0)}`);
        header.dataset.testid = 'tooltip-x';
        header.dataset.x = String(xs[idx] ?? '');
        tooltip.appendChild(header);
        for (const line of lines()) {
          if (u.series[line.index]?.show === false) continue;
          const near = valueNear(xs, u.data[line.index] ?? [], idx);
          const raw = line.rawIndex !== undefined ? valueNear(xs, u.data[line.rawIndex] ?? [], idx) : null;
          const row = element('div', 'flex items-center gap-1.5 whitespace-nowrap');
          row.dataset.testid = 'tooltip-row';
          row.dataset.label = line.label;
          row.dataset.value = near ? String(near.y) : '';
          row.dataset.x = near ? String(near.x) : '';
          const swatch = element('span', 'inline-block h-2 w-2 shrink-0 rounded-sm');
          swatch.style.background = line.colour;
          row.append(swatch, element('span', 'min-w-0 truncate', line.label), element('span', 'ml-auto pl-2 font-mono tabular-nums', near ? formatNumber(near.y) : '—'));
          if (raw) row.appendChild(element('span', 'font-mono text-slate-400 tabular-nums', `(raw ${formatNumber(raw.y)})`));
          tooltip.appendChild(row);
        }
        tooltip.style.display = 'block';
        const width = u.over.clientWidth;
        const box = tooltip.getBoundingClientRect();
        const x = left + 12 + box.width > width ? Math.max(0, left - 12 - box.width) : left + 12;
        tooltip.style.left = `${x}px`;
        tooltip.style.top = `${Math.max(0, Math.min((u.cursor.top ?? 0) + 12, u.over.clientHeight - box.height))}px`;
      },
    },
  };
}
