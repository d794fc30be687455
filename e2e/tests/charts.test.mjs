// Browser tests of the dashboard's charts (issue #16: tooltips, legends, synced zoom, downsampling bands, grouped
// curves, system metrics, expandable panels; defect 5: axis labels) against the real stack. The runs are TensorBoard
// imports (status `imported`: no training, so the series are exactly known) whose metrics are then posted through
// the API with the admin token: 3,000 steps of a loss (more than the 1,000 points the run page asks for, so the
// series comes downsampled with its min/max band), the epoch, and two system metrics. With E2E_DOCS_SCREENSHOTS=1
// the grouped Compare charts (with a tooltip) are written to docs/screenshots/charts.png.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { CHROMIUM, launchBrowser, screenshot } from '../lib/browser.mjs';
import { REPO_ROOT, missingPieces, startStack, waitFor } from '../lib/stack.mjs';

const DOCS_DIR = path.join(REPO_ROOT, 'docs', 'screenshots');
const docs = process.env.E2E_DOCS_SCREENSHOTS === '1';

const require = createRequire(import.meta.url);

const missing = missingPieces();
if (!existsSync(CHROMIUM)) missing.push(`chromium (${CHROMIUM}: run e2e/scripts/install-chromium.sh)`);
const skip = missing.length > 0 ? `the stack is not built: ${missing.join(', ')}` : false;

const LOSS = 'Loss/Total loss';
const EPOCH = 'General/epoch';
const CPU = 'system/cpu_percent';
const RSS = 'system/rss_mb';
const STEPS = 3000;
const T0 = Date.UTC(2026, 0, 1);

/** Run r's loss at step s: a decaying curve with a saw-tooth (so every downsampling bucket has a spread). */
const loss = (r, s) => 2 + r * 0.25 + 3 * Math.exp(-s / 800) + ((s % 7) - 3) * 0.05;

let stack;
let browser;
let page;
let project;
/** The four runs: two SIE, two VICReg. */
const runs = [];

/** A one-point TensorBoard event file, to create an `imported` run through the upload endpoint. */
async function importRun(name, method) {
  const { encodeEventFile, eventFileName } = require(path.join(REPO_ROOT, 'libs/interop/dist/index.js'));
  const bytes = encodeEventFile([{ tag: 'imported/marker', step: 0, value: 0, wallTime: T0 / 1000 }]);
  const form = new FormData();
  form.set('projectId', project.id);
  form.set('name', name);
  form.set('method', method);
  form.append('files', new Blob([bytes]), eventFileName(T0 / 1000));
  const response = await fetch(`${stack.apiUrl}/api/imports/tensorboard`, { method: 'POST', headers: { authorization: `Bearer ${stack.token}` }, body: form });
  assert.equal(response.status, 201, await response.clone().text());
  return (await response.json()).runId;
}

function metricsOf(r) {
  const points = [];
  for (let s = 0; s < STEPS; s += 1) {
    const time = T0 + s * 100;
    points.push({ key: LOSS, step: s, value: loss(r, s), time }, { key: EPOCH, step: s, value: Math.floor(s / 100), time });
    if (s % 10 === 0) points.push({ key: CPU, step: s, value: 150 + (s % 50), time }, { key: RSS, step: s, value: 512 + s / 10, time });
  }
  return points;
}

/** The stored value of `key` at `step` (the full series, not downsampled). */
async function storedValue(runId, key, step) {
  const { series } = await stack.api(`/runs/${runId}/metrics?keys=${encodeURIComponent(key)}&points=20000&fromStep=${step}&toStep=${step}`);
  return series[0]?.points.find((p) => p.step === step)?.value;
}

/** The value at `step` of the series downsampled to `points`, interpolated linearly between neighbours. */
async function valueAt(runId, key, step, points) {
  const { series } = await stack.api(`/runs/${runId}/metrics?keys=${encodeURIComponent(key)}&points=${points}`);
  const list = series[0]?.points ?? [];
  const i = list.findIndex((p) => p.step >= step);
  if (i < 0) return undefined;
  const b = list[i];
  if (b.step === step) return b.value;
  const a = list[i - 1];
  return a ? a.value + ((b.value - a.value) * (step - a.step)) / (b.step - a.step) : undefined;
}

const chart = (key) => page.locator(`[data-testid="metric-chart"][data-key="${key}"]`);

/**
 * Hovers the plot of `key`'s chart at a fraction of its width (entering it from outside, again until the tooltip
 * shows: a chart rebuilt while the pointer rests on it gets no mouseenter) and returns the tooltip's x and rows.
 */
async function hover(key, fraction) {
  const over = chart(key).locator('.u-over');
  const tooltip = chart(key).locator('[data-testid="chart-tooltip"]');
  await waitFor(`the tooltip of ${key}`, async () => {
    // The mouse reaches the viewport only: bring the chart into it first.
    await chart(key).scrollIntoViewIfNeeded();
    const box = await over.boundingBox();
    if (!box) return false;
    await page.mouse.move(box.x - 20, box.y - 20);
    await page.mouse.move(box.x + box.width * fraction, box.y + box.height / 2, { steps: 3 });
    return tooltip.isVisible();
  }, { timeout: 20_000, interval: 200 });
  const x = Number(await tooltip.locator('[data-testid="tooltip-x"]').getAttribute('data-x'));
  const rows = await tooltip.locator('[data-testid="tooltip-row"]').evaluateAll((els) => els.map((el) => ({ label: el.dataset.label, value: Number(el.dataset.value), x: Number(el.dataset.x), text: el.textContent })));
  return { x, rows };
}

/** Waits until every curve of `key`'s chart has points. */
async function loaded(key, curves) {
  await waitFor(`${curves} curves with points on ${key}`, async () => {
    const value = await chart(key).getAttribute('data-series-points', { timeout: 1000 }).catch(() => null);
    const counts = value ? value.split(',').map(Number) : [];
    return counts.length === curves && counts.every((n) => n > 0);
  }, { timeout: 30_000 });
}

/**
 * The y-axis tick labels of a chart and whether each fits the axis (uPlot draws labels on the canvas; the chart
 * writes them and the axis width on its .uplot element): measured in the page with the axis font.
 */
async function yAxis(key) {
  return chart(key).evaluate((figure) => {
    const root = figure.querySelector('.uplot');
    const labels = (root?.dataset.yTicks ?? '').split(' ').filter(Boolean);
    const size = Number(root?.dataset.yAxisSize ?? 0);
    const context = document.createElement('canvas').getContext('2d');
    context.font = '12px ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';
    const widest = Math.max(0, ...labels.map((l) => context.measureText(l).width));
    return { labels, size, widest };
  });
}

before(async () => {
  if (skip) return;
  stack = await startStack({ runnerDevices: 1 });
  project = await stack.api('/projects', { method: 'POST', body: { name: 'charts-e2e', description: 'chart browser tests' } });
  for (const [i, method] of ['SIE', 'SIE', 'VICReg', 'VICReg'].entries()) {
    const id = await importRun(`${method.toLowerCase()}-${i}`, method);
    const points = metricsOf(i);
    for (let j = 0; j < points.length; j += 5000) await stack.api(`/runs/${id}/metrics`, { method: 'POST', body: { points: points.slice(j, j + 5000) } });
    runs.push(id);
  }
  browser = await launchBrowser();
  page = await browser.context.newPage();
  await page.goto(stack.webUrl);
  await page.evaluate((token) => window.localStorage.setItem('equilab.token', token), stack.token);
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

test('run page: the tooltip shows the stored value at the cursor, the downsampled band is drawn, a zoom refetches the visible range', { skip, timeout: 180_000 }, async () => {
  await page.goto(`${stack.webUrl}/runs/${runs[0]}`);
  await chart(LOSS).waitFor();
  await page.waitForSelector(`[data-testid="metric-chart"][data-key="${LOSS}"][data-bands="1"]`, { timeout: 30_000 });

  const { x, rows } = await hover(LOSS, 0.5);
  assert.equal(rows.length, 1);
  assert.ok(x > 0 && x < STEPS, `the cursor is inside the run's steps (x = ${x})`);
  assert.equal(rows[0].value, await storedValue(runs[0], LOSS, rows[0].x), 'the tooltip value is the stored value at its step');
  await screenshot(page, 'charts-1-run-tooltip');

  // System metrics have their own panel, out of the metric groups.
  const system = page.locator('[data-testid="system-metrics"]');
  await system.locator(`[data-testid="metric-chart"][data-key="${CPU}"]`).waitFor();
  assert.equal(await system.locator('[data-testid="metric-chart"]').count(), 2);
  assert.equal(await page.locator(`[data-testid="metric-group"] [data-testid="metric-chart"][data-key^="system/"]`).count(), 0);

  // One format per axis, labels inside the chart.
  for (const key of [LOSS, RSS]) {
    const axis = await yAxis(key);
    assert.ok(axis.labels.length >= 2, `${key} y ticks: ${axis.labels.join(' ')}`);
    const formats = new Set(axis.labels.filter((t) => t !== '0').map((t) => `${t.includes('e') ? 'e' : 'f'}${(t.split(/[.e]/)[1] ?? '').length}`));
    assert.equal(formats.size, 1, `one format on the ${key} axis: ${axis.labels.join(' ')}`);
    assert.ok(axis.widest + 10 <= axis.size, `${key}: the axis (${axis.size} px) holds its widest label (${axis.widest} px)`);
  }

  // Drag over a fifth of the chart: every chart zooms (synced), the visible range is loaded again at full
  // resolution (fewer than 1,000 stored points there: no band), the reset brings the whole range and the band back.
  const before = Number(await chart(LOSS).getAttribute('data-points'));
  const box = await chart(LOSS).locator('.u-over').boundingBox();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await page.waitForSelector(`[data-testid="metric-chart"][data-key="${LOSS}"][data-zoomed="true"][data-bands="0"]`, { timeout: 30_000 });
  assert.equal(await page.getAttribute(`[data-testid="metric-chart"][data-key="${CPU}"]`, 'data-zoomed'), 'true', 'the zoom is synced across the page');
  assert.ok(Number(await chart(LOSS).getAttribute('data-points')) > before, 'the zoomed range brought more points');
  await screenshot(page, 'charts-2-run-zoomed');
  await page.click('[data-testid="reset-zoom"]');
  await page.waitForSelector(`[data-testid="metric-chart"][data-key="${LOSS}"][data-zoomed="false"][data-bands="1"]`, { timeout: 30_000 });
});

test('run page: a metric group expands to full width and stays so for the project after a reload', { skip, timeout: 120_000 }, async () => {
  await page.goto(`${stack.webUrl}/runs/${runs[0]}`);
  const group = page.locator('[data-testid="metric-group"][data-group="Loss"]');
  await group.locator('[data-testid="metric-chart"]').first().waitFor();
  const narrow = (await chart(LOSS).boundingBox()).width;
  await group.locator('[data-testid="expand-group"]').click();
  await page.waitForSelector('[data-testid="metric-group"][data-group="Loss"][data-expanded="true"]');
  await waitFor('the expanded chart to widen', async () => (await chart(LOSS).boundingBox()).width > narrow * 1.5);
  await page.reload();
  await page.waitForSelector('[data-testid="metric-group"][data-group="Loss"][data-expanded="true"]', { timeout: 30_000 });
  assert.match(await page.evaluate((id) => window.localStorage.getItem(`equilab.chartLayout.${id}`), project.id), /"expanded":\["Loss"\]/);
  await screenshot(page, 'charts-3-run-expanded');
  await group.locator('[data-testid="expand-group"]').click();
  await page.waitForSelector('[data-testid="metric-group"][data-group="Loss"][data-expanded="false"]');
});

test('compare: grouping by method draws each group’s mean with a band; the tooltip shows the group means', { skip, timeout: 180_000 }, async () => {
  await page.goto(`${stack.webUrl}/compare?runs=${runs.join(',')}`);
  await loaded(LOSS, 4);
  await page.waitForSelector(`[data-testid="metric-chart"][data-key="${LOSS}"][data-bands="4"]`, { timeout: 30_000 });
  const ungrouped = await hover(LOSS, 0.4);
  assert.equal(ungrouped.rows.length, 4);
  assert.equal(await chart(LOSS).locator('[data-testid="chart-legend"] li').count(), 4);

  await page.selectOption('[data-testid="group-by"]', 'method');
  await page.waitForSelector(`[data-testid="metric-chart"][data-key="${LOSS}"][data-series="2"][data-bands="2"]`);
  await page.locator('#charts-title').evaluate((el) => el.scrollIntoView());
  const { rows } = await hover(LOSS, 0.6);
  assert.deepEqual(
    rows.map((r) => r.label),
    ['method=SIE (2)', 'method=VICReg (2)'],
  );
  // The SIE group's mean at the tooltip's step is the mean of the two SIE runs' series as Compare loads them
  // (downsampled to 500 points), each at that step or linearly between its neighbouring points.
  const step = rows[0].x;
  const members = await Promise.all([runs[0], runs[1]].map((id) => valueAt(id, LOSS, step, 500)));
  assert.ok(members.every((v) => v !== undefined), `both SIE runs cover step ${step}`);
  assert.ok(Math.abs(rows[0].value - (members[0] + members[1]) / 2) < 1e-9, `mean at step ${step}: ${rows[0].value} vs ${members}`);
  await screenshot(page, 'charts-4-compare-grouped');
  if (docs) await screenshot(page, 'charts', DOCS_DIR);
  await page.selectOption('[data-testid="group-band"]', 'minmax');
  await page.waitForSelector(`[data-testid="metric-chart"][data-key="${LOSS}"][data-bands="2"]`);

  // Any metric as the x axis: the loss against the epoch (0 … 29).
  await page.selectOption('[data-testid="x-axis-select"]', `metric:${EPOCH}`);
  const byEpoch = await hover(LOSS, 0.5);
  assert.ok(byEpoch.x >= 0 && byEpoch.x <= 29, `x is an epoch (${byEpoch.x})`);
  await page.selectOption('[data-testid="x-axis-select"]', 'step');
  await page.selectOption('[data-testid="group-by"]', 'none');
});

test('the narrow viewport has no horizontal scroll on the run and compare pages', { skip, timeout: 120_000 }, async () => {
  const narrow = await launchBrowser({ viewport: { width: 390, height: 844 } });
  try {
    const tab = await narrow.context.newPage();
    await tab.goto(stack.webUrl);
    await tab.evaluate((token) => window.localStorage.setItem('equilab.token', token), stack.token);
    for (const url of [`/runs/${runs[0]}`, `/compare?runs=${runs.join(',')}`]) {
      await tab.goto(`${stack.webUrl}${url}`);
      await tab.waitForSelector(`[data-testid="metric-chart"][data-key="${LOSS}"]`, { timeout: 30_000 });
      const width = await tab.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 390, `${url} is ${width} px wide at 390 px`);
    }
    await screenshot(tab, 'charts-5-compare-390');
  } finally {
    await narrow.close();
  }
});
