import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints the closing counts in node:test's TAP form (`# pass N`, `# fail N`, `# skipped N`): the repository's test
 * script sums those lines over every package. Vitest's own TAP reporter prints no such counts, hence these lines.
 */
export default class TapSummaryReporter implements Reporter {
  onTestRunEnd(testModules: readonly TestModule[]): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const testModule of testModules) {
      for (const test of testModule.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') counts.passed += 1;
        else if (state === 'failed') counts.failed += 1;
        else counts.skipped += 1;
      }
      // A file that fails to load has no tests: count it as a failure so it cannot pass silently.
      if (testModule.state() === 'failed' && testModule.children.size === 0) counts.failed += 1;
    }
    process.stdout.write(`# pass ${counts.passed}\n# fail ${counts.failed}\n# skipped ${counts.skipped}\n`);
  }
}
