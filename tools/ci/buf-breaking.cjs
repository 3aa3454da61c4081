#!/usr/bin/env node
// Checks the protobuf contracts for breaking changes against the main branch.
// On main itself (or without git history) there is nothing to compare and it says so.
const { spawnSync } = require('node:child_process');

const git = (...args) => spawnSync('git', args, { encoding: 'utf8' });
if (git('rev-parse', '--verify', '--quiet', 'refs/heads/main').status !== 0) {
  console.log('buf breaking: no local main branch to compare against; skipped');
  process.exit(0);
}
const res = spawnSync('npx', ['buf', 'breaking', '--against', '.git#branch=main'], { stdio: 'inherit' });
process.exit(res.status ?? 1);
