// Browser tests of the dashboard's tables and context (issue #16, #13) against the real stack: one tiny SIE sweep
// (2 learning rates × 2 seeds, 1 epoch each, made through REST) is trained by the runner, then:
//   1. project context: /compare?runs=… opened directly in a fresh browser, and a sweep opened from
//      Projects → Sweeps (and that page reloaded in a fresh browser), keep the project and its links
//   2. the Runs table grouped by replicate group: group rows with count, status and mean ± sd, kept in the URL,
//      expanded to their runs; selecting a group selects its runs for Compare
//   3. tags set on the run page filter the Runs table (in the URL), and the exported CSV has the API's rows
//   4. a three-part evaluation requested from a finished run's page fills its full / inv / equi columns
//   5. the sweep page's tags and notes editor; one progress notion on the Runs list, Sweep page and run page
//   6. at 390 px the header is compact and no page scrolls sideways
// Every wait is on the state a check needs (a selector, a response, a polled condition), never a sleep.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { CHROMIUM, launchBrowser, screenshot } from '../lib/browser.mjs';
import { REPO_ROOT, missingPieces, startStack, waitFor } from '../lib/stack.mjs';

const DOCS_DIR = path.join(REPO_ROOT, 'docs', 'screenshots');
const docs = process.env.E2E_DOCS_SCREENSHOTS === '1';

const missing = missingPieces();
if (!existsSync(CHROMIUM)) missing.push(`chromium (${CHROMIUM}: run e2e/scripts/install-chromium.sh)`);
const skip = missing.length > 0 ? `the stack is not built: ${missing.join(', ')}` : false;

/** SIE at width 1/16 (a 32-wide representation, 16 equivariant) on 32-pixel images: one epoch is a few steps. */
const TINY_SIE = { batch_size: 4, resolution: 32, width: 0.0625, mlp: '16-16-16', equi: 16, epochs: 1, seed: 0 };
const LRS = [0.001, 0.002];
/** Generous bounds for a loaded 2-core machine; each wait ends as soon as its condition holds. */
const TRAIN_TIMEOUT = 900_000;
const UI_TIMEOUT = 60_000;

let stack;
let browser;
let page;
let project;
let sweep;

/** A fresh browser (no stored project) that already holds the API token. */
async function freshBrowser(options) {
  const fresh = await launchBrowser(options);
  await fresh.context.addInitScript((token) => window.localStorage.setItem('equilab.token', token), stack.token);
  return fresh;
}

/** Waits until the header shows `projectId` as the current project: the picker's value and the project's links. */
async function expectProjectContext(tab, projectId) {
  await tab.locator(`header a[href="/projects/${projectId}/runs"]`).waitFor({ timeout: UI_TIMEOUT });
  await tab.locator(`header a[href="/projects/${projectId}/sweeps"]`).waitFor({ timeout: UI_TIMEOUT });
  // The option exists once the project list has loaded; the picker shows it (not "Choose a project").
  await tab.waitForFunction((id) => document.querySelector('[data-testid="project-select"]')?.value === id, projectId, { timeout: UI_TIMEOUT });
}

function step(name, fn) {
  return async () => {
    try {
      await fn();
    } catch (error) {
      if (page) await screenshot(page, `FAILED-tables-${name}`).catch(() => undefined);
      if (stack) for (const [proc, handle] of Object.entries(stack.logs)) if (proc !== 'web') console.error(`--- ${proc} ---\n${handle.tail(15)}`);
      throw error;
    }
  };
}

/** Splits CSV text into rows of fields (RFC 4180 quoting: "" inside quotes, newlines in quoted fields). */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

before(async () => {
  if (skip) return;
  stack = await startStack({ runnerDevices: 2 });
  project = await stack.api('/projects', { method: 'POST', body: { name: 'e2e tables', description: 'grouping, tags, exports' } });
  sweep = await stack.api('/sweeps', {
    method: 'POST',
    body: {
      projectId: project.id,
      name: 'lr × seeds',
      method: 'SIE',
      strategy: 'grid',
      baseConfig: TINY_SIE,
      searchSpace: { base_lr: { distribution: 'choice', values: LRS } },
      replicates: 2,
      maxConcurrency: 2,
      backend: 'wasm',
      logEvery: { steps: 1, seconds: 0 },
    },
  });
  assert.equal(sweep.runs.length, 4);
  browser = await freshBrowser();
  page = await browser.context.newPage();
});

after(async () => {
  if (stack && sweep) await stack.api(`/sweeps/${sweep.id}/cancel`, { method: 'POST' }).catch(() => undefined);
  await browser?.close();
  await stack?.stop();
});

test('1. the project context is kept on /compare?runs=… opened directly and on a sweep opened from Projects → Sweeps', { skip, timeout: 240_000 }, step('1', async () => {
  const ids = sweep.runs.slice(0, 2).map((r) => r.id);
  const fresh = await freshBrowser();
  try {
    const tab = await fresh.context.newPage();
    await tab.goto(`${stack.webUrl}/compare?runs=${ids.join(',')}`);
    await expectProjectContext(tab, project.id);
    await screenshot(tab, 'tables-1a-compare-direct');
  } finally {
    await fresh.close();
  }

  await page.goto(`${stack.webUrl}/projects/${project.id}/sweeps`);
  await page.locator(`a[href="/sweeps/${sweep.id}"]`).click({ timeout: UI_TIMEOUT });
  await page.waitForURL(`**/sweeps/${sweep.id}`);
  await expectProjectContext(page, project.id);

  // The same sweep link opened in a browser that never saw the project.
  const other = await freshBrowser();
  try {
    const tab = await other.context.newPage();
    await tab.goto(`${stack.webUrl}/sweeps/${sweep.id}`);
    await expectProjectContext(tab, project.id);
    await screenshot(tab, 'tables-1b-sweep-direct');
  } finally {
    await other.close();
  }
}));

test('2. runs grouped by replicate group: count, status, mean ± sd; kept in the URL; expanded; a group selected for Compare', { skip, timeout: TRAIN_TIMEOUT + 120_000 }, step('2', async () => {
  await waitFor('the sweep to finish', async () => {
    const detail = await stack.api(`/sweeps/${sweep.id}`);
    const failed = detail.runs.find((r) => r.status === 'failed');
    assert.ok(!failed, `a run failed: ${failed?.error}`);
    return detail.runs.every((r) => r.status === 'succeeded') ? detail : false;
  }, { timeout: TRAIN_TIMEOUT, interval: 1000 });
  sweep = await stack.api(`/sweeps/${sweep.id}`);
  const groupKeys = [...new Set(sweep.runs.map((r) => r.groupKey))];
  assert.equal(groupKeys.length, 2, 'two configurations, two replicates each');

  await page.goto(`${stack.webUrl}/projects/${project.id}/runs`);
  await page.locator('[data-testid="run-row"]').first().waitFor({ timeout: UI_TIMEOUT });
  await page.selectOption('[aria-label="Group runs by"]', 'replicate');
  await page.waitForURL(/[?&]group=replicate/);
  const groupRows = page.locator('[data-testid="group-row"]');
  await waitFor('two group rows', async () => (await groupRows.count()) === 2, { timeout: UI_TIMEOUT });
  assert.equal(await page.locator('[data-testid="run-row"]').count(), 0, 'groups start closed');

  // Each group: 2 runs, both succeeded, and the total loss as mean ± sd of its runs' last values.
  const LOSS = 'Loss/Total loss';
  const lastLoss = async (runId) => {
    const summary = await stack.api(`/runs/${runId}/metrics/summary`);
    return summary.metrics.find((m) => m.key === LOSS)?.last;
  };
  for (const key of groupKeys) {
    const row = page.locator(`[data-testid="group-row"][data-group-id="${key}"]`);
    assert.equal(await row.locator('[data-testid="group-count"]').innerText(), '2');
    assert.equal(await row.locator('[data-testid="group-status"]').innerText(), '2 succeeded');
    const cell = row.locator(`[data-metric="${LOSS}"]`);
    await waitFor(`the ${LOSS} mean ± sd of group ${key}`, async () => /±/.test(await cell.innerText()), { timeout: UI_TIMEOUT });
    const [mean, sd] = (await cell.innerText()).split('±').map((s) => Number(s.trim()));
    const values = await Promise.all(sweep.runs.filter((r) => r.groupKey === key).map((r) => lastLoss(r.id)));
    const expectedMean = (values[0] + values[1]) / 2;
    const expectedSd = Math.abs(values[0] - values[1]) / Math.SQRT2;
    assert.ok(Math.abs(mean - expectedMean) <= 1e-3 * Math.max(1, Math.abs(expectedMean)), `mean ${mean} vs ${expectedMean}`);
    assert.ok(Math.abs(sd - expectedSd) <= 1e-3 * Math.max(1, expectedSd), `sd ${sd} vs ${expectedSd}`);
  }
  // The default metric columns start with the total loss (not the alphabetically first loss).
  const headers = await page.locator('[role="columnheader"]').allInnerTexts();
  assert.ok(headers.some((h) => h.startsWith(LOSS)), `a ${LOSS} column: ${headers.join(' | ')}`);
  assert.equal(headers.filter((h) => h.toLowerCase() === 'method').length, 1, 'one method column');

  // The grouping survives a reload (it is in the URL).
  await page.reload();
  await waitFor('two group rows after a reload', async () => (await groupRows.count()) === 2, { timeout: UI_TIMEOUT });

  // Expand the first group: its two runs appear under it.
  const first = groupRows.first();
  const firstKey = await first.getAttribute('data-group-id');
  await first.locator('[data-testid="group-toggle"]').click();
  const members = page.locator('[data-testid="run-row"][data-grouped="true"]');
  await waitFor('the group’s runs', async () => (await members.count()) === 2, { timeout: UI_TIMEOUT });
  const memberIds = (await members.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run-id')))).sort();
  assert.deepEqual(memberIds, sweep.runs.filter((r) => r.groupKey === firstKey).map((r) => r.id).sort());
  // The group's mean ± sd and its runs' values (asked for once the rows settle on screen).
  await waitFor('the values of the open group', async () => /±/.test(await first.locator(`[data-metric="${LOSS}"]`).innerText()) && (await members.locator(`[data-metric="${LOSS}"]`).allInnerTexts()).every((t) => t !== '—'), { timeout: UI_TIMEOUT });
  await screenshot(page, 'tables-2-runs-grouped');
  if (docs) await screenshot(page, 'runs', DOCS_DIR);

  // Selecting the group selects its runs; Compare opens with them.
  await first.getByRole('checkbox').check();
  await page.locator('[data-testid="compare-selected"]', { hasText: '(2)' }).click();
  await page.waitForURL(/\/compare\?runs=/);
  const compared = new URL(page.url()).searchParams.get('runs').split(',').sort();
  assert.deepEqual(compared, memberIds);
}));

test('3. tags set on the run page filter the Runs table, and the exported CSV has the API’s rows', { skip, timeout: 240_000 }, step('3', async () => {
  const tagged = sweep.runs.slice(0, 2);
  for (const run of tagged) {
    await page.goto(`${stack.webUrl}/runs/${run.id}`);
    await page.locator('[data-testid="edit-annotations"]').click({ timeout: UI_TIMEOUT });
    await page.getByLabel('Tags', { exact: true }).fill('e2e-picked baseline');
    const saved = page.waitForResponse((r) => r.url().endsWith(`/api/runs/${run.id}`) && r.request().method() === 'PATCH');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    assert.equal((await saved).status(), 200);
    await page.locator('[data-testid="tag"]', { hasText: 'e2e-picked' }).waitFor();
  }

  await page.goto(`${stack.webUrl}/projects/${project.id}/runs`);
  await page.locator('[data-testid="run-row"]').first().waitFor({ timeout: UI_TIMEOUT });
  const filter = page.getByLabel('Filter by tags');
  await filter.fill('e2e-picked');
  await filter.press('Enter');
  await page.waitForURL(/[?&]tags=e2e-picked/);
  const rows = page.locator('[data-testid="run-row"]');
  await waitFor('the tagged runs only', async () => (await rows.count()) === 2, { timeout: UI_TIMEOUT });
  const shown = (await rows.evaluateAll((els) => els.map((r) => r.getAttribute('data-run-id')))).sort();
  assert.deepEqual(shown, tagged.map((r) => r.id).sort());

  const downloading = page.waitForEvent('download', { timeout: UI_TIMEOUT });
  await page.locator('[data-testid="export-runs"]').click();
  const file = await (await downloading).path();
  const fromBrowser = parseCsv(await readFile(file, 'utf8'));
  const response = await fetch(`${stack.apiUrl}/api/runs/export?projectId=${project.id}&tags=e2e-picked&sort=-createdAt&format=csv`, { headers: { authorization: `Bearer ${stack.token}` } });
  assert.equal(response.status, 200);
  const fromApi = parseCsv(await response.text());
  assert.deepEqual(fromBrowser, fromApi, 'the downloaded file is the API’s export of the same query');
  const idColumn = fromApi[0].indexOf('id');
  assert.ok(idColumn >= 0, `an id column: ${fromApi[0].join(',')}`);
  assert.deepEqual(fromApi.slice(1).filter((r) => r.length > 1).map((r) => r[idColumn]).sort(), shown);
  await screenshot(page, 'tables-3-runs-tag-filter');
}));

test('4. a three-part evaluation requested from a finished SIE run’s page fills its full, inv and equi columns', { skip, timeout: TRAIN_TIMEOUT }, step('4', async () => {
  const run = sweep.runs[0];
  await page.goto(`${stack.webUrl}/runs/${run.id}`);
  const panel = page.locator('[data-testid="run-evaluations"]');
  await panel.waitFor({ timeout: UI_TIMEOUT });
  // Only the rotation probe (the quickest), on every part: the SIE default parts are full, inv and equi.
  for (const kind of ['classification', 'color', 'retrieval']) {
    const box = panel.getByRole('checkbox', { name: kind, exact: true });
    if (await box.isChecked()) await box.uncheck();
  }
  await panel.getByRole('checkbox', { name: 'rotation', exact: true }).check();
  for (const part of ['full', 'inv', 'equi']) assert.ok(await panel.locator(`[data-testid="eval-part-${part}"]`).isChecked(), `part ${part} checked by default`);
  await panel.getByLabel('Epochs').fill('1');
  const requested = page.waitForResponse((r) => r.url().endsWith(`/api/runs/${run.id}/evaluations/suite`) && r.request().method() === 'POST');
  await panel.getByRole('button', { name: 'Request evaluation' }).click();
  const answer = await requested;
  assert.ok(answer.ok(), `suite request answered ${answer.status()}`);

  await waitFor('three rotation evaluations to succeed', async () => {
    const list = await stack.api(`/runs/${run.id}/evaluations`);
    const failed = list.items.find((e) => e.status === 'failed');
    assert.ok(!failed, `an evaluation failed: ${failed?.error}`);
    const rotation = list.items.filter((e) => e.kind === 'rotation' && e.status === 'succeeded');
    return new Set(rotation.map((e) => e.part ?? e.config?.part)).size === 3;
  }, { timeout: TRAIN_TIMEOUT - 60_000, interval: 1000 });

  const table = page.locator('[data-testid="evaluation-table"]');
  for (const part of ['full', 'inv', 'equi']) {
    const cell = table.locator(`td[data-column="rotR2.${part}"]`);
    await waitFor(`the rotation R² (${part}) cell filled`, async () => /\d/.test(await cell.innerText()), { timeout: UI_TIMEOUT });
  }
  await table.scrollIntoViewIfNeeded();
  await screenshot(page, 'tables-4-three-part-evaluation');
}));

test('5. tags and notes on the sweep page; one progress notion on the Runs list, the Sweep page and the run page', { skip, timeout: 180_000 }, step('5', async () => {
  await page.goto(`${stack.webUrl}/sweeps/${sweep.id}`);
  await page.locator('[data-testid="edit-annotations"]').click({ timeout: UI_TIMEOUT });
  await page.getByLabel('Tags', { exact: true }).fill('lr-study');
  await page.getByLabel('Notes', { exact: true }).fill('replicates of two learning rates');
  const saved = page.waitForResponse((r) => r.url().endsWith(`/api/sweeps/${sweep.id}`) && r.request().method() === 'PATCH');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  assert.equal((await saved).status(), 200);
  await page.locator('[data-testid="tag"]', { hasText: 'lr-study' }).waitFor();
  const stored = await stack.api(`/sweeps/${sweep.id}`);
  assert.deepEqual(stored.tags, ['lr-study']);
  assert.equal(stored.notes, 'replicates of two learning rates');
  await page.reload();
  await page.locator('[data-testid="notes"]', { hasText: 'replicates of two learning rates' }).waitFor({ timeout: UI_TIMEOUT });

  // The same run's progress reads the same on the three pages: steps done out of the total.
  const run = await stack.api(`/runs/${sweep.runs[1].id}`);
  const expected = `${run.step} / ${run.totalSteps} steps · 100%`;
  const sweepCell = page.locator(`[data-testid="sweep-runs"] tr[data-run-id="${run.id}"] [data-testid="progress"]`);
  await sweepCell.waitFor({ timeout: UI_TIMEOUT });
  assert.equal(await sweepCell.innerText(), expected);
  if (docs) await screenshot(page, 'sweep', DOCS_DIR);
  await page.goto(`${stack.webUrl}/projects/${project.id}/runs`);
  const listCell = page.locator(`[data-testid="run-row"][data-run-id="${run.id}"] [data-testid="progress"]`);
  await listCell.waitFor({ timeout: UI_TIMEOUT });
  assert.equal(await listCell.innerText(), expected);
  await page.goto(`${stack.webUrl}/runs/${run.id}`);
  const header = page.locator('[aria-label="Run details"] [data-testid="progress"]');
  await header.waitFor({ timeout: UI_TIMEOUT });
  assert.equal(await header.innerText(), expected);
  assert.equal(await page.locator('[data-testid="epochs"]').innerText(), `${run.totalEpochs} / ${run.totalEpochs} done`);
}));

test('6. at 390 px the header is compact and no page scrolls sideways', { skip, timeout: 180_000 }, step('6', async () => {
  const narrow = await freshBrowser({ viewport: { width: 390, height: 844 } });
  try {
    const tab = await narrow.context.newPage();
    for (const url of [`/projects/${project.id}/runs?group=replicate`, `/sweeps/${sweep.id}`, `/runs/${sweep.runs[0].id}`]) {
      await tab.goto(`${stack.webUrl}${url}`);
      await expectProjectContext(tab, project.id);
      await tab.locator('h1').waitFor({ timeout: UI_TIMEOUT });
      const { width, header } = await tab.evaluate(() => ({ width: document.documentElement.scrollWidth, header: document.querySelector('header').getBoundingClientRect().height }));
      assert.ok(width <= 390, `${url}: the page is ${width} px wide at 390 px`);
      assert.ok(header <= 90, `${url}: the header is ${header} px tall at 390 px (was 155)`);
    }
    await screenshot(tab, 'tables-6-narrow-run');
  } finally {
    await narrow.close();
  }
}));
