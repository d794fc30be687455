import { defineConfig } from 'vitest/config';

/**
 * Unit tests of the dashboard (`npm test -w @equilab/web`), beside the code they test: `*.test.ts` (pure modules)
 * run in Node, `*.test.tsx` (components and hooks) in jsdom. The `@/` alias comes from tsconfig. The TAP-summary
 * reporter prints node:test's `# pass N` lines, which scripts/test.sh adds up.
 */
export default defineConfig({
  resolve: { tsconfigPaths: true },
  test: {
    // Upper bounds only (nothing waits for them): jsdom's role queries take seconds when the machine is busy.
    testTimeout: 60_000,
    reporters: ['default', './test/tap-summary.reporter.ts'],
    projects: [
      { extends: true, test: { name: 'unit', environment: 'node', include: ['src/**/*.test.ts'] } },
      { extends: true, test: { name: 'dom', environment: 'jsdom', include: ['src/**/*.test.tsx'], setupFiles: ['./test/dom.setup.ts'] } },
    ],
  },
});
