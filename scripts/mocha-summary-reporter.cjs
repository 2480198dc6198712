// Mocha's spec reporter plus a closing line `tests: N passed, N failed[, N skipped]` computed from the
// run itself, and the same figures in dist/test-summary.json for .ci/run.
const Mocha = require('mocha');
const fs = require('node:fs');
const path = require('node:path');

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const counts = { passed: 0, failed: 0, skipped: 0 };
    runner.on(Mocha.Runner.constants.EVENT_TEST_PASS, () => counts.passed++);
    runner.on(Mocha.Runner.constants.EVENT_TEST_FAIL, () => counts.failed++);
    runner.on(Mocha.Runner.constants.EVENT_TEST_PENDING, () => counts.skipped++);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const file = path.resolve('dist', 'test-summary.json');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify(counts));
      const skipped = counts.skipped ? `, ${counts.skipped} skipped` : '';
      // Printed after the spec reporter's epilogue so it is the run's last line.
      process.on('exit', () => console.log(`tests: ${counts.passed} passed, ${counts.failed} failed${skipped}`));
    });
  }
}
module.exports = SummaryReporter;
