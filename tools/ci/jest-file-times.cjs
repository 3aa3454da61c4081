// A jest reporter for CI: appends "<seconds> <file>" for every test file to the file named by PODID_JEST_FILE_TIMES
// (.ci/run sets it and prints the slowest files). Without the variable it does nothing, so `npm test` prints as before.
const { appendFileSync } = require('node:fs');
const path = require('node:path');

const workspaceRoot = path.join(__dirname, '..', '..');

class JestFileTimes {
  onTestResult(_test, result) {
    const out = process.env.PODID_JEST_FILE_TIMES;
    if (!out) return;
    const { start, end } = result.perfStats;
    const seconds = start && end ? ((end - start) / 1000).toFixed(1) : '0.0';
    // One short write per file: O_APPEND keeps lines whole when two jest runs (nx runs 2 at once) share the file.
    appendFileSync(out, `${seconds} ${path.relative(workspaceRoot, result.testFilePath)}\n`);
  }
}

module.exports = JestFileTimes;
