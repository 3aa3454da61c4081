const path = require('node:path');
const root = __dirname;
const { compilerOptions } = require('./tsconfig.base.json');
// ESM-only packages that jest (CJS) must transpile on Node 20: client-node 1.4 -> openid-client -> oauth4webapi, jose.
const esmOnly = ['@kubernetes/client-node', 'openid-client', 'oauth4webapi', 'jose'];
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }];
// Workspace packages resolve to their sources, exactly as tsconfig paths say.
const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([name, [target]]) => [`^${name}$`, path.join(root, target)]),
);
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  moduleNameMapper,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  testTimeout: 30000,
  // The second one only writes per-file times to a file when .ci/run asks for them (PODID_JEST_FILE_TIMES).
  reporters: ['default', path.join(root, 'tools/ci/jest-file-times.cjs')],
};
