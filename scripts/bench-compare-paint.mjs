// The Compare page's first paint in headless chromium, against a running API that holds the runs (the API bench
// starts this with its seeded 100 runs × 10 keys × 10,000 points; section `firstPaint`, see apps/api/src/bench):
//   BENCH_API_URL=http://127.0.0.1:PORT BENCH_TOKEN=eqk_… BENCH_RUN_IDS=a,b,… [BENCH_KEYS=10] [BENCH_PAINT_REPS=3] \
//     node scripts/bench-compare-paint.mjs
// Starts the built dashboard (`next start`, apps/web/.next) with API_URL pointing at that API, opens
// /compare?runs=… with the token in localStorage, and times from navigation start until (a) the first metric chart
// holds every run's curve with points, and (b) BENCH_KEYS charts do (the page's own data-series / data-series-points
// attributes, which the chart sets when it has drawn its data). Each repetition is a fresh page load (no cache).
// Prints ONE JSON line on stdout; progress on stderr.
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { launchBrowser } from '../e2e/lib/browser.mjs';
import { ChildProcessHandle, freePort, REPO_ROOT, waitFor } from '../e2e/lib/stack.mjs';

const apiUrl = process.env.BENCH_API_URL;
const token = process.env.BENCH_TOKEN;
const runIds = (process.env.BENCH_RUN_IDS ?? '').split(',').filter(Boolean);
const keys = Number(process.env.BENCH_KEYS ?? 10);
const reps = Number(process.env.BENCH_PAINT_REPS ?? 3);
const log = (line) => process.stderr.write(`compare paint: ${line}\n`);
const loadAverage = () => os.loadavg().map((x) => Number(x.toFixed(2)));
if (!apiUrl || !token || runIds.length === 0) {
  console.log(JSON.stringify({ error: 'BENCH_API_URL, BENCH_TOKEN and BENCH_RUN_IDS are required' }));
  process.exit(1);
}

const require = createRequire(path.join(REPO_ROOT, 'apps/web/package.json'));
const port = await freePort();
const webUrl = `http://127.0.0.1:${port}`;
const web = new ChildProcessHandle('web', process.execPath, [require.resolve('next/dist/bin/next'), 'start', '-p', String(port), '-H', '127.0.0.1'], {
  cwd: path.join(REPO_ROOT, 'apps/web'),
  env: { ...process.env, API_URL: apiUrl, NEXT_TELEMETRY_DISABLED: '1', PORT: String(port) },
});
let browser;
try {
  await waitFor('the dashboard', async () => {
    web.assertAlive();
    return (await fetch(`${webUrl}/api/health`)).ok;
  });
  browser = await launchBrowser();
  await browser.context.addInitScript((t) => window.localStorage.setItem('equilab.token', t), token);
  const result = [];
  for (let rep = 0; rep < reps; rep++) {
    const page = await browser.context.newPage();
    const requests = [];
    page.on('requestfinished', (request) => {
      if (!request.url().includes('/api/')) return;
      const timing = request.timing();
      requests.push({ path: new URL(request.url()).pathname, endMs: timing.startTime + timing.responseEnd - started });
    });
    const started = Date.now();
    await page.goto(`${webUrl}/compare?runs=${runIds.join(',')}`, { waitUntil: 'commit' });
    // polled on every animation frame in the page: the time (ms since navigation start) each condition first held
    const times = await page.waitForFunction(
      ({ runs, keys }) => {
        const w = window;
        const full = [...document.querySelectorAll('[data-testid="metric-chart"]')].filter((chart) => {
          const counts = (chart.getAttribute('data-series-points') ?? '').split(',').filter(Boolean).map(Number);
          return Number(chart.getAttribute('data-series')) === runs && counts.length === runs && counts.every((n) => n > 0);
        });
        if (full.length > 0 && w.__firstChart === undefined) w.__firstChart = performance.now();
        if (full.length >= keys) return { firstChartMs: w.__firstChart, allChartsMs: performance.now(), charts: full.length };
        return false;
      },
      { runs: runIds.length, keys },
      { polling: 'raf', timeout: 180_000 },
    );
    const value = await times.jsonValue();
    // when the last response of each kind arrived (ms since navigation): what the page waited for
    const lastOf = (pattern) => Math.round(Math.max(...requests.filter((r) => pattern.test(r.path)).map((r) => r.endMs)));
    const out = {
      ...value,
      firstChartMs: Math.round(value.firstChartMs),
      allChartsMs: Math.round(value.allChartsMs),
      apiRequests: requests.length,
      lastCompareResponseMs: lastOf(/\/api\/metrics\/compare$/),
      lastSummaryResponseMs: lastOf(/\/summary$/),
      loadAverage: loadAverage(),
    };
    log(JSON.stringify(out));
    result.push(out);
    await page.close();
  }
  const sorted = (k) => result.map((r) => r[k]).sort((a, b) => a - b);
  const median = (k) => sorted(k)[Math.floor((result.length - 1) / 2)];
  console.log(
    JSON.stringify({
      runs: runIds.length,
      keys,
      reps,
      firstChartMedianMs: median('firstChartMs'),
      allChartsMedianMs: median('allChartsMs'),
      targetMs: 2000,
      repetitions: result,
    }),
  );
} catch (error) {
  console.log(JSON.stringify({ error: String(error?.message ?? error), web: web.tail(20) }));
  process.exitCode = 1;
} finally {
  await browser?.close();
  await web.stop();
}
