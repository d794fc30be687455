import { expect, test } from 'vitest';
import { chartGroups, chartTitle } from './chart-groups';
import { moveInLayout, orderGroups, parseChartLayout, toggleInLayout } from './chart-layout.store';

test('a stored layout is read back; unreadable text is the default layout', () => {
  expect(parseChartLayout('{"expanded":["Loss"],"collapsed":[]}')).toEqual({ expanded: ['Loss'], collapsed: [], order: [] });
  expect(parseChartLayout('{"expanded":[],"collapsed":[],"order":["Stats"]}').order).toEqual(['Stats']);
  expect(parseChartLayout('not json')).toEqual({ expanded: [], collapsed: [], order: [] });
  expect(parseChartLayout('{"expanded":[1]}')).toEqual({ expanded: [], collapsed: [], order: [] });
  expect(parseChartLayout(null)).toEqual({ expanded: [], collapsed: [], order: [] });
});

test('toggling a group in and out of a list of the layout', () => {
  const on = toggleInLayout({ expanded: [], collapsed: ['Stats'], order: [] }, 'expanded', 'Loss', true);
  expect(on).toEqual({ expanded: ['Loss'], collapsed: ['Stats'], order: [] });
  expect(toggleInLayout(on, 'expanded', 'Loss', false)).toEqual({ expanded: [], collapsed: ['Stats'], order: [] });
  expect(toggleInLayout(on, 'expanded', 'Loss', true)).toEqual(on);
});

test('system metrics leave the metric groups for a panel of their own, in the catalogue’s order', () => {
  const { groups, system } = chartGroups(['Loss/Total loss', 'system/rss_mb', 'system/cpu_percent', 'system/zzz', 'epoch']);
  expect(groups.map((g) => g.name)).toEqual(['Loss', 'Other']);
  expect(system).toEqual(['system/cpu_percent', 'system/rss_mb', 'system/zzz']);
  expect(chartTitle('system/cpu_percent')).toBe('CPU % · system/cpu_percent');
  expect(chartTitle('Loss/Total loss')).toBe('Loss/Total loss');
});

test('groups move up and down; the stored order applies, unlisted groups follow in their default order', () => {
  const layout = { expanded: [], collapsed: [], order: [] };
  const moved = moveInLayout(layout, ['Loss', 'Stats', 'General'], 'General', -1);
  expect(moved.order).toEqual(['Loss', 'General', 'Stats']);
  expect(moveInLayout(moved, moved.order, 'Loss', -1)).toBe(moved);
  const groups = ['Loss', 'Stats', 'General', 'Other', 'System'].map((name) => ({ name }));
  expect(orderGroups(groups, ['General', 'Loss']).map((g) => g.name)).toEqual(['General', 'Loss', 'Stats', 'Other', 'System']);
});
