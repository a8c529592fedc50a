// Counts the run's tests for scripts/engines.mjs, which prints one `N passed, M failed` line per engine:
// written to the file named by ENGINES_COUNT_FILE. A file that failed without a failed test (it did not
// load, or a hook failed) and an error outside any test count as one failure each, so a run that proved
// nothing never reads as clean. Tests left out by a filter count as neither.
import { writeFileSync } from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';

export default class CountReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    for (const module of testModules) {
      let failedHere = 0;
      for (const test of module.children.allTests()) {
        const { state } = test.result();
        if (state === 'passed') passed++;
        else if (state === 'failed') failedHere++;
      }
      failed += failedHere || (module.state() === 'failed' ? 1 : 0);
    }
    const file = process.env.ENGINES_COUNT_FILE;
    if (file) writeFileSync(file, JSON.stringify({ passed, failed }));
  }
}
