'use client';

import { z } from 'zod';
import { setSetting, useSetting } from './settings.store';

/**
 * A project's chart layout: metric groups shown full width, groups folded, and the groups' order (names moved by
 * the user; groups not listed follow in their default order). Kept per project in localStorage.
 */
export interface ChartLayout {
  expanded: string[];
  collapsed: string[];
  order: string[];
}

const names = z.array(z.string().max(200)).max(100);
const layoutSchema = z.object({ expanded: names, collapsed: names, order: names.default([]) });
const EMPTY: ChartLayout = { expanded: [], collapsed: [], order: [] };

/** Parses stored layout text; anything unreadable is the default layout. */
export function parseChartLayout(text: string | null | undefined): ChartLayout {
  if (!text) return EMPTY;
  try {
    const parsed = layoutSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : EMPTY;
  } catch {
    return EMPTY;
  }
}

/** `groups` in the layout's order: listed names first, in that order, then the others as given. */
export function orderGroups<T extends { name: string }>(groups: readonly T[], order: readonly string[]): T[] {
  const rank = (name: string) => {
    const i = order.indexOf(name);
    return i < 0 ? order.length : i;
  };
  return groups.map((g, i) => ({ g, i })).sort((a, b) => rank(a.g.name) - rank(b.g.name) || a.i - b.i).map(({ g }) => g);
}

/** The layout with `group` moved one place up (-1) or down (+1) among `shown` (the groups in their current order). */
export function moveInLayout(layout: ChartLayout, shown: readonly string[], group: string, by: -1 | 1): ChartLayout {
  const order = [...shown];
  const from = order.indexOf(group);
  const to = from + by;
  if (from < 0 || to < 0 || to >= order.length) return layout;
  order.splice(from, 1);
  order.splice(to, 0, group);
  return { ...layout, order };
}

/** `group` added to or removed from one list of the layout. */
export function toggleInLayout(layout: ChartLayout, list: 'expanded' | 'collapsed', group: string, on: boolean): ChartLayout {
  const rest = layout[list].filter((g) => g !== group);
  return { ...layout, [list]: on ? [...rest, group] : rest };
}

const settingName = (scope: string) => `chartLayout.${scope}`;

/** The layout of `scope` (a project id, or a page name without one) and its setter. */
export function useChartLayout(scope: string): [ChartLayout, (next: ChartLayout) => void] {
  const stored = useSetting(settingName(scope));
  const layout = parseChartLayout(stored);
  return [layout, (next) => setSetting(settingName(scope), JSON.stringify(next))];
}
