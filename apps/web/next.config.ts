import path from 'node:path';
import type { NextConfig } from 'next';

const repoRoot = path.join(__dirname, '..', '..');

/**
 * The dashboard talks to the API through its own origin: `src/proxy.ts` forwards `/api/*` and `/socket.io/*`
 * to the API (`API_URL`, read at request time), so the browser needs no CORS and never sees the API's origin.
 */
const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // socket.io's engine only answers `/socket.io/` (with the slash): keep URLs as sent.
  skipTrailingSlashRedirect: true,
  turbopack: { root: repoRoot },
  outputFileTracingRoot: repoRoot,
};

export default config;
