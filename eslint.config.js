// Lint rules from STYLE.md: typed imports, no `any`, no import cycles, no console in services,
// and evaluate/ kept pure (no I/O modules, no clock, no randomness).
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const importX = require('eslint-plugin-import-x');
const { createTypeScriptImportResolver } = require('eslint-import-resolver-typescript');

module.exports = tseslint.config(
  { ignores: ['node_modules/**', 'coverage/**', 'dist/**', 'jest.config.js', 'eslint.config.js', 'bin/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'tsconfig.json' })] },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-cycle': 'error',
      'import-x/no-default-export': 'error',
    },
  },
  {
    files: ['services/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    files: ['services/engine/evaluate/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'net', 'http', 'crypto', 'os', 'path', 'child_process'],
              message: 'evaluate/ is pure: no I/O.',
            },
            { group: ['kafkajs', 'ioredis', 'pino', 'prom-client'], message: 'evaluate/ is pure: no I/O.' },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'Date', message: 'evaluate/ takes `now` as an argument.' },
        { name: 'setTimeout', message: 'evaluate/ is pure.' },
        { name: 'process', message: 'evaluate/ is pure.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'evaluate/ is deterministic: hash instead.' },
        { object: 'Date', property: 'now', message: 'evaluate/ takes `now` as an argument.' },
      ],
    },
  },
);
