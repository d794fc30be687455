// Browser end-to-end tests of the dashboard against the real stack (API, runner, PostgreSQL, Redis, next start).
// The four steps share one sweep, so they run in order in one file:
//   1. submit a 2-run sweep through the New sweep form (an invalid field first: error shown, nothing submitted)
//   2. a running run's chart receives new points without a reload
//   3. compare the two runs: both series drawn, the differing config field listed
//   4. cancel a run from the UI and see its status change live
// Screenshots of every step go to e2e/test-results/; with E2E_DOCS_SCREENSHOTS=1 the four main pages are also
// written to docs/screenshots/.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { CHROMIUM, launchBrowser, screenshot } from '../lib/browser.mjs';
import { REPO_ROOT, missingPieces, startStack, waitFor } from '../lib/stack.mjs';

const DOCS_DIR = path.join(REPO_ROOT, 'docs', 'screenshots');
const docs = process.env.E2E_DOCS_SCREENSHOTS === '1';

const missing = missingPieces();
if (!existsSync(CHROMIUM)) missing.push(`chromium (${CHROMIUM}: run e2e/scripts/install-chromium.sh)`);
const skip = missing.length > 0 ? `the stack is not built: ${missing.join(', ')}` : false;

/** A tiny VICReg config: a ResNet-18 at width 1/8 on 32-pixel images, long enough to be cancelled. */
const TINY = { batch_size: '4', epochs: '500', resolution: '32', width: '0.125', mlp: '16-16' };
const METHOD = 'VICReg';
const VARIED = 'base_lr';
const VALUES = ['0.001', '0.002'];

let stack;
let browser;
let page;
let project;
let sweepId;
let runIds = [];

/** Marks the page so a later check can prove no navigation/reload happened in between. */
async function markPage() {
  await page.evaluate(() => {
    window.__e2eMarker = 'still-here';
  });
}
async function assertNotReloaded() {
  assert.equal(await page.evaluate(() => window.__e2eMarker), 'still-here', 'the page was reloaded');
}

/** Points per series of the first chart of `key` (or of the first chart when key is omitted). */
async function chartPoints(key) {
  const selector = key ? `[data-testid="metric-chart"][data-key="${key}"]` : '[data-testid="metric-chart"]';
  const value = await page.getAttribute(selector, 'data-series-points', { timeout: 1000 }).catch(() => null);
  return value === null || value === '' ? [] : value.split(',').map(Number);
}

async function runsWithMetrics() {
  const statuses = await Promise.all(runIds.map((id) => stack.api(`/runs/${id}`)));
  const summaries = await Promise.all(runIds.map((id) => stack.api(`/runs/${id}/metrics/summary`)));
  return statuses.map((run, i) => ({ run, count: summaries[i].metrics.reduce((sum, m) => sum + m.count, 0) }));
}

/** Runs a step; on failure saves a screenshot of the page as it was (e2e/test-results/FAILED-<name>.png). */
function step(name, fn) {
  return async () => {
    try {
      await fn();
    } catch (error) {
      if (page) await screenshot(page, `FAILED-${name}`).catch(() => undefined);
      if (stack) for (const [proc, handle] of Object.entries(stack.logs)) if (proc !== 'web') console.error(`--- ${proc} ---\n${handle.tail(15)}`);
      throw error;
    }
  };
}

before(async () => {
  if (skip) return;
  stack = await startStack({ runnerDevices: 2 });
  project = await stack.api('/projects', { method: 'POST', body: { name: 'e2e', description: 'browser tests' } });
  browser = await launchBrowser();
  page = await browser.context.newPage();
});

after(async () => {
  if (stack) {
    for (const id of runIds) await stack.api(`/runs/${id}/cancel`, { method: 'POST' }).catch(() => undefined);
  }
  await browser?.close();
  await stack?.stop();
});

test('1. a 2-run sweep submitted through the New sweep form, after an invalid field is refused', { skip, timeout: 180_000 }, step('1', async () => {
  await page.goto(`${stack.webUrl}/projects/${project.id}/new`);
  // No token yet: the dialog asks for it once and keeps it in localStorage.
  await page.fill('[data-testid="token-input"]', stack.token);
  await page.click('[data-testid="token-save"]');
  assert.equal(await page.evaluate(() => localStorage.getItem('equilab.token')), stack.token);
  assert.ok(!page.url().includes(stack.token), 'the token must never be in the URL');

  await page.selectOption('[data-testid="method-select"]', METHOD);
  await page.fill('[data-testid="sweep-name"]', 'e2e sweep');
  for (const [field, value] of Object.entries(TINY)) await page.fill(`#field-${field}`, value);
  await page.selectOption(`[data-field="${VARIED}"] [data-testid="field-mode"]`, 'values');
  await page.fill(`#field-${VARIED}`, VALUES.join(', '));

  // Invalid: resolution must be a multiple of 32.
  await page.fill('#field-resolution', '48');
  await page.click('[data-testid="submit-sweep"]');
  const error = page.locator('[data-field="resolution"] [data-testid="field-error"]');
  await error.waitFor({ state: 'visible' });
  assert.match(await error.innerText(), /32/);
  assert.equal(await page.getAttribute('[data-field="resolution"]', 'data-invalid'), 'true');
  await screenshot(page, '1a-new-sweep-invalid-field');
  assert.match(page.url(), /\/new$/);
  assert.equal((await stack.api(`/sweeps?projectId=${project.id}`)).items.length, 0, 'nothing may be submitted while a field is invalid');
  assert.equal((await stack.api(`/runs?projectId=${project.id}`)).items.length, 0);

  // Fixed: the server dry run counts the runs, then the sweep is created.
  await page.fill('#field-resolution', TINY.resolution);
  await page.locator('[data-field="resolution"] [data-testid="field-error"]').waitFor({ state: 'detached' });
  await page.waitForSelector('[data-testid="sweep-count"][data-count="2"]', { timeout: 30_000 });
  await screenshot(page, '1b-new-sweep-valid');
  if (docs) await screenshot(page, 'new-sweep', DOCS_DIR);
  await page.click('[data-testid="submit-sweep"]');
  await page.waitForURL(/\/sweeps\/[0-9a-f-]{36}$/, { timeout: 30_000 });
  sweepId = page.url().split('/').pop();
  const sweep = await stack.api(`/sweeps/${sweepId}`);
  assert.equal(sweep.runs.length, 2);
  assert.deepEqual(sweep.runs.map((r) => Number(r.sweepParams[VARIED])).sort(), VALUES.map(Number).sort());
  runIds = sweep.runs.map((r) => r.id);
  await page.waitForSelector('[data-testid="sweep-runs"] tbody tr');
  await screenshot(page, '1c-sweep-page');
}));

test('2. a running run’s chart receives new points without a reload', { skip, timeout: 300_000 }, step('2', async () => {
  assert.equal(runIds.length, 2, 'step 1 must have created the sweep');
  const states = await waitFor('a run to report metrics', async () => (await runsWithMetrics()).find((s) => s.run.status === 'running' && s.count > 0), { timeout: 240_000, interval: 1000 });
  const runId = states.run.id;
  await page.goto(`${stack.webUrl}/runs/${runId}`);
  await page.waitForSelector('[data-testid="metric-chart"]', { timeout: 30_000 });
  await page.waitForSelector('[data-testid="live-status"][data-live="live"]', { timeout: 30_000 });
  const key = await page.getAttribute('[data-testid="metric-chart"]', 'data-key');
  const before = (await chartPoints(key))[0] ?? 0;
  await markPage();
  await waitFor(`new points on the ${key} chart`, async () => ((await chartPoints(key))[0] ?? 0) > before, { timeout: 120_000 });
  await assertNotReloaded();
  await screenshot(page, '2-run-chart-live');
  if (docs) await screenshot(page, 'run', DOCS_DIR);
}));

test('3. compare the two runs: both series drawn and the differing field listed', { skip, timeout: 300_000 }, step('3', async () => {
  assert.equal(runIds.length, 2, 'step 1 must have created the sweep');
  await waitFor('both runs to report metrics', async () => (await runsWithMetrics()).every((s) => s.count > 0), { timeout: 240_000, interval: 1000 });
  await page.goto(`${stack.webUrl}/compare?runs=${runIds.join(',')}`);
  await page.waitForSelector('[data-testid="metric-chart"][data-series="2"]', { timeout: 30_000 });
  await waitFor('both series on the first chart', async () => {
    const points = await chartPoints();
    return points.length === 2 && points.every((n) => n > 0);
  });
  const row = page.locator(`[data-testid="config-diff"] tr[data-field="${VARIED}"]`);
  await row.waitFor();
  const cells = await row.locator('td').allInnerTexts();
  assert.deepEqual(cells.map(Number).sort(), VALUES.map(Number).sort());
  // Only the varied field differs: the seed is a config field like any other, the same for every run (issue #13).
  const differing = await page.locator('[data-testid="config-diff"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-field')));
  assert.ok(differing.includes(VARIED));
  assert.deepEqual(differing.filter((f) => f !== VARIED), [], `only ${VARIED} differs (no seed difference)`);
  assert.equal(await page.locator('[data-testid="compare-legend"] li').count(), 2);
  await screenshot(page, '3-compare');
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, '3-compare-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  if (docs) {
    await screenshot(page, 'compare', DOCS_DIR);
    await page.goto(`${stack.webUrl}/projects/${project.id}/runs`);
    await page.waitForSelector('[data-testid="run-row"]');
    await page.waitForFunction(() => [...document.querySelectorAll('[data-metric]')].some((cell) => cell.textContent !== '—'), null, { timeout: 30_000 }).catch(() => undefined);
    await screenshot(page, 'runs', DOCS_DIR);
  }
}));

test('4. cancel a run from the UI and see its status change live', { skip, timeout: 180_000 }, step('4', async () => {
  assert.equal(runIds.length, 2, 'step 1 must have created the sweep');
  const target = (await runsWithMetrics()).find((s) => s.run.status === 'running' || s.run.status === 'queued');
  assert.ok(target, 'a run must still be running or queued to be cancelled');
  // A second tab on the sweep page sees the change through socket.io only.
  const watcher = await browser.context.newPage();
  await watcher.goto(`${stack.webUrl}/sweeps/${sweepId}`);
  await watcher.waitForSelector('[data-testid="live-status"][data-live="live"]', { timeout: 30_000 });
  await watcher.evaluate(() => {
    window.__e2eMarker = 'still-here';
  });
  await page.goto(`${stack.webUrl}/runs/${target.run.id}`);
  await page.waitForSelector('[data-testid="live-status"][data-live="live"]', { timeout: 30_000 });
  const status = page.locator('h1 + div [data-testid="status"]');
  assert.notEqual(await status.getAttribute('data-status'), 'canceled');
  await markPage();
  await page.click('[data-testid="cancel-run"]');
  await page.waitForSelector('h1 + div [data-testid="status"][data-status="canceled"]', { timeout: 60_000 });
  await assertNotReloaded();
  assert.equal((await stack.api(`/runs/${target.run.id}`)).status, 'canceled');
  await screenshot(page, '4a-run-canceled');
  await watcher.waitForSelector(`[data-testid="sweep-runs"] tr[data-run-id="${target.run.id}"] [data-testid="status"][data-status="canceled"]`, { timeout: 60_000 });
  assert.equal(await watcher.evaluate(() => window.__e2eMarker), 'still-here', 'the sweep page was reloaded');
  await screenshot(watcher, '4b-sweep-page-live');
  if (docs) await screenshot(watcher, 'sweep', DOCS_DIR);
  await watcher.close();
}));

test('6. a wrong token is flagged in the header and the old project list goes (defect 4)', { skip, timeout: 120_000 }, step('6', async () => {
  await page.goto(stack.webUrl);
  await page.waitForSelector(`a[href="/projects/${project.id}/runs"]`);
  await page.evaluate(() => window.localStorage.setItem('equilab.token', 'eql_wrong'));
  await page.reload();
  await page.waitForSelector('[data-testid="open-token-dialog"][data-rejected="true"]', { timeout: 30_000 });
  await page.waitForSelector('[data-testid="error-state"]');
  assert.equal(await page.locator(`main a[href="/projects/${project.id}/runs"]`).count(), 0);
  await page.evaluate((token) => window.localStorage.setItem('equilab.token', token), stack.token);
  await page.reload();
  await page.waitForSelector('[data-testid="open-token-dialog"]:not([data-rejected])');
}));

test('8. the narrow viewport has no horizontal scroll on the run page (defect 8)', { skip, timeout: 120_000 }, step('8', async () => {
  const narrow = await launchBrowser({ viewport: { width: 390, height: 844 } });
  const tab = await narrow.context.newPage();
  await tab.goto(stack.webUrl);
  await tab.evaluate((token) => window.localStorage.setItem('equilab.token', token), stack.token);
  await tab.goto(`${stack.webUrl}/runs/${runIds[0]}`);
  await tab.waitForSelector('h1');
  const width = await tab.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `page is ${width} px wide at 390 px`);
  await narrow.close();
}));
