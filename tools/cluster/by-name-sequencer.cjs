// The tier's specs build on one another (install, then apps, then attacks):
// run them in the order of their file names.
const Sequencer = require('@jest/test-sequencer').default;
module.exports = class ByName extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => a.path.localeCompare(b.path));
  }
};
