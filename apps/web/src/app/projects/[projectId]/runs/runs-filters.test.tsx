import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { withNuqsTestingAdapter, type UrlUpdateEvent } from 'nuqs/adapters/testing';
import { expect, test, vi } from 'vitest';
import { RunsFilters } from './runs-filters';
import { shownMetricColumns, useRunsQuery } from './runs-query';

const METRIC_KEYS = ['General/lr', 'Loss/a', 'Loss/b'];

/** The filters wired to the URL as the Runs page wires them. */
function Harness() {
  const [query, setQuery] = useRunsQuery();
  return <RunsFilters query={query} onChange={(patch) => void setQuery(patch)} methods={['SIE', 'VICReg']} metricKeys={METRIC_KEYS} shownMetrics={shownMetricColumns(query.metrics, METRIC_KEYS)} />;
}

function renderAt(search: string) {
  const onUrlUpdate = vi.fn<(event: UrlUpdateEvent) => void>();
  render(<Harness />, { wrapper: withNuqsTestingAdapter({ searchParams: search, onUrlUpdate }) });
  const lastUrl = () => onUrlUpdate.mock.lastCall?.[0];
  return { onUrlUpdate, lastUrl };
}

const box = (name: string) => screen.getByRole<HTMLInputElement>('checkbox', { name });

test('a shared link opens with its search and filters filled in', () => {
  renderAt('?q=lr&status=failed,canceled&method=SIE&metrics=General/lr');
  expect(screen.getByRole<HTMLInputElement>('searchbox', { name: 'Search runs' }).value).toBe('lr');
  expect(screen.getByRole<HTMLSelectElement>('combobox', { name: 'Filter by method' }).value).toBe('SIE');
  expect(box('failed').checked).toBe(true);
  expect(box('canceled').checked).toBe(true);
  expect(box('running').checked).toBe(false);
  expect(box('General/lr').checked).toBe(true);
  expect(box('Loss/a').checked).toBe(false);
});

test('a filter change is a new history entry (Back undoes it)', async () => {
  const { lastUrl } = renderAt('?status=failed');
  fireEvent.click(box('running'));
  await waitFor(() => expect(lastUrl()?.queryString).toBe('?status=failed,running'));
  expect(lastUrl()?.options.history).toBe('push');
  fireEvent.change(screen.getByRole('combobox', { name: 'Filter by method' }), { target: { value: 'VICReg' } });
  await waitFor(() => expect(lastUrl()?.searchParams.get('method')).toBe('VICReg'));
});

test('typing a search replaces the history entry instead of adding one per keystroke', async () => {
  const { lastUrl } = renderAt('');
  fireEvent.change(screen.getByRole('searchbox', { name: 'Search runs' }), { target: { value: 'base' } });
  await waitFor(() => expect(lastUrl()?.queryString).toBe('?q=base'));
  expect(lastUrl()?.options.history).toBe('replace');
});

test('metric columns start from the defaults; a change writes the chosen list, unchecking all keeps none', async () => {
  const { lastUrl } = renderAt('');
  expect(box('Loss/a').checked).toBe(true);
  expect(box('Loss/b').checked).toBe(true);
  fireEvent.click(box('Loss/a'));
  await waitFor(() => expect(lastUrl()?.searchParams.get('metrics')).toBe('Loss/b'));
  fireEvent.click(box('Loss/b'));
  await waitFor(() => expect(lastUrl()?.searchParams.get('metrics')).toBe(''));
  expect(box('Loss/a').checked).toBe(false);
});
