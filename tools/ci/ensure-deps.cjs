#!/usr/bin/env node
// Installs the Debian packages podid's tests and local mode need (redis-server,
// bubblewrap, prometheus for promtool, which checks the alert rules, and kubectl
// for the kubectl plugin test) when they are missing, so that `npm test` and
// `npm start` work on a fresh machine. Needs root (or passwordless sudo) for
// apt-get; otherwise it says exactly what to install.
const { spawnSync } = require('node:child_process');

const needed = [
  { bin: 'redis-server', pkg: 'redis-server' },
  { bin: 'bwrap', pkg: 'bubblewrap' },
  { bin: 'promtool', pkg: 'prometheus' },
  // tools/e2e/src/platform-tools.spec.ts runs `kubectl podid` (the CLI as a kubectl plugin).
  { bin: 'kubectl', pkg: 'kubernetes-client' },
];
const missing = needed.filter(({ bin }) => spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0);
if (missing.length === 0) process.exit(0);

const pkgs = missing.map((m) => m.pkg);
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const sudo = isRoot ? [] : ['sudo', '-n'];
console.error(`podid: installing ${pkgs.join(', ')} with apt-get`);
const run = (args) => {
  const [cmd, ...rest] = [...sudo, ...args];
  return spawnSync(cmd, rest, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
};
if (!run(['apt-get', 'update', '-qq']) || !run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...pkgs])) {
  console.error(`podid: could not install ${pkgs.join(', ')}. Install them by hand: apt-get install -y ${pkgs.join(' ')}`);
  process.exit(1);
}
