// Lint rules that keep the architecture honest (docs/design.md, "Architecture";
// docs/contributing.md, "Conventions"): src/core is pure (no browser API, no
// clock), and only src/platform imports webextension-polyfill.
const tseslint = require('typescript-eslint');
const globals = require('globals');

const pureCore = {
  files: ['src/core/**/*.ts'],
  rules: {
    'no-restricted-imports': ['error', { patterns: [
      { group: ['webextension-polyfill'], message: 'src/core is pure: browser access belongs in src/platform.' },
      { group: ['**/platform/**', '**/background/**', '**/ui/**'], message: 'src/core depends on nothing else in Lesmodus.' },
    ] }],
    'no-restricted-globals': ['error',
      { name: 'chrome', message: 'src/core is pure: no browser API.' },
      { name: 'browser', message: 'src/core is pure: no browser API.' },
      { name: 'window', message: 'src/core is pure.' },
      { name: 'document', message: 'src/core is pure.' },
      { name: 'localStorage', message: 'src/core is pure.' },
      { name: 'fetch', message: 'src/core is pure: the network belongs in src/platform.' },
    ],
    'no-restricted-syntax': ['error',
      { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'src/core takes the time as an argument.' },
      { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'src/core takes the time as an argument.' },
      { selector: "CallExpression[callee.object.name='performance'][callee.property.name='now']", message: 'src/core takes the time as an argument.' },
    ],
  },
};

const polyfillOnlyInPlatform = {
  files: ['src/**/*.ts', 'src/**/*.tsx'],
  ignores: ['src/platform/**'],
  rules: {
    'no-restricted-imports': ['error', { paths: [{ name: 'webextension-polyfill', message: 'Only src/platform touches the browser.' }] }],
  },
};

module.exports = tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.tmp/**'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  polyfillOnlyInPlatform,
  pureCore,
  {
    files: ['**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/tools/**', 'tests/**'],
    rules: { 'no-console': 'off' },
  },
);
