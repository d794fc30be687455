// Debian's chromium driven by playwright-core (no Playwright browser downloads on this machine).
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { E2E_DIR } from './stack.mjs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const RESULTS_DIR = path.join(E2E_DIR, 'test-results');

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A persistent context in a fresh user-data dir; `close()` removes the dir. */
export async function launchBrowser({ colorScheme = 'light', viewport = { width: 1440, height: 900 } } = {}) {
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'equilab-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport,
    colorScheme,
  });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot under e2e/test-results/ (and returns its path). */
export async function screenshot(page, name, dir = RESULTS_DIR) {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}
