// @ts-check
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['node_modules/**', 'bench/out/**', 'data/**', 'reports/**', '**/*.cjs', '**/*.mjs', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's test()/describe() return promises the runner itself awaits.
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }] },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/prefer-readonly': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'it', property: 'only', message: 'A focused test hides the others.' },
        { object: 'describe', property: 'only', message: 'A focused test hides the others.' },
        { object: 'test', property: 'only', message: 'A focused test hides the others.' },
      ],
    },
  },
  {
    // The core is pure: time, ids and randomness come in as inputs (CONVENTIONS 4).
    files: ['core/**/*.ts'],
    ignores: ['core/**/*.spec.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'The core takes time as an input.' },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'The core takes time as an input.' },
        { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'The core takes randomness as an input.' },
        { selector: "CallExpression[callee.name=/^(setTimeout|setInterval|setImmediate)$/]", message: 'The core asks for timers as effects.' },
      ],
    },
  },
  {
    // The command line is the one place that talks to a terminal directly.
    files: ['adapters/node/cli/**/*.ts', 'bench/**/*.ts', 'bin/**'],
    rules: { 'no-console': 'off' },
  },
)
