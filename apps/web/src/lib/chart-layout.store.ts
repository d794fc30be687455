'use client';

import { z } from 'zod';
import { setSetting, useSetting } from './settings.store';

/** A project's chart layout: metric groups shown full width, and groups folded. Kept per project in localStorage. */
export interface ChartLayout {
  expanded: string[];
  collapsed: string[];
}

const layoutSchema = z.object({ expanded: z.array(z.string().max(200)).max(100), collapsed: z.array(z.string().max(200)).max(100) });
const EMPTY: ChartLayout = { expanded: [], collapsed: [] };

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

/** `group` added to or removed from one list of the layout. */
export function toggleInLayout(layout: ChartLayout, list: keyof ChartLayout, group: string, on: boolean): ChartLayout {
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
