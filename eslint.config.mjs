import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const pureBans = ['@grpc/*', 'ioredis', '@kubernetes/client-node', 'pino', 'ws'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'libs/contracts/src/gen/**', '**/jest.config.cjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          depConstraints: [
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain'], bannedExternalImports: pureBans },
            { sourceTag: 'type:contract', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:domain', 'type:platform', 'type:contract'] },
            { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:domain', 'type:platform', 'type:contract'] },
            { sourceTag: 'type:testkit', onlyDependOnLibsWithTags: ['type:domain', 'type:platform', 'type:contract', 'type:adapter', 'type:tool'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:domain', 'type:platform', 'type:contract', 'type:adapter', 'type:testkit'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:domain', 'type:platform', 'type:contract', 'type:adapter', 'type:testkit', 'type:tool'] },
          ],
        },
      ],
    },
  },
  {
    // Tests and their fixtures may use the test kit and the simulator from any project.
    files: ['**/*.spec.ts', '**/testing/**/*.ts', '**/*.fixture.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          depConstraints: [{ sourceTag: '*', notDependOnLibsWithTags: ['type:app'] }],
        },
      ],
    },
  },
  {
    // Domain code does no I/O.
    files: ['libs/{errors,units,spiffe,x509,policy-model,tokens}/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['node:fs', 'fs', 'node:net', 'net', 'node:http', 'node:https', 'node:child_process', 'node:fs/promises'] }],
    },
  },
);
