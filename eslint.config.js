// Lint rules that keep the architecture honest (docs/design.md, docs/contributing.md):
// src/core is pure (no browser API, no clock), only src/platform imports
// webextension-polyfill, nothing in src/ imports test code, and the
// extension's own bundles (background, platform, ui, core) import nothing of
// the tools around them (src/dev, src/tools, src/server).
const tseslint = require('typescript-eslint');
const globals = require('globals');

// no-restricted-imports takes one set of options per file (a later config
// object replaces an earlier one's), so each part of src/ gets exactly one,
// built from these pieces.
const polyfill = { name: 'webextension-polyfill', message: 'Only src/platform touches the browser.' };
/** A relative import through a folder of one of `names` (`../../tests/unit/x`, `../dev/browsers`). */
const through = (names) => `^\\.{1,2}/(.*/)?(${names.join('|')})(/|$)`;
const noTests = { regex: through(['tests']), message: 'Product code never imports test code: what both need belongs in src/ (src/dev for the browser harness).' };
const noTooling = {
  regex: through(['dev', 'tools', 'server']),
  message: "The extension's bundles (background, platform, ui, core) import nothing from src/dev, src/tools or src/server: those run in node, beside the extension.",
};
const pureCorePatterns = [
  { group: ['webextension-polyfill'], message: 'src/core is pure: browser access belongs in src/platform.' },
  { group: ['**/platform/**', '**/background/**', '**/ui/**'], message: 'src/core depends on nothing else in Lesmodus.' },
];

const restrictImports = (files, { paths = [], patterns = [] }) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { paths, patterns }] },
});

const SRC = (dir) => [`src/${dir}/**/*.ts`, `src/${dir}/**/*.tsx`];

const importRules = [
  // Node-side code: the harness, the command-line tools, the feed server (and src/*.ts).
  restrictImports(['src/*.ts', ...SRC('dev'), ...SRC('tools'), ...SRC('server')], { paths: [polyfill], patterns: [noTests] }),
  restrictImports([...SRC('background'), ...SRC('ui'), ...SRC('content')], { paths: [polyfill], patterns: [noTests, noTooling] }),
  restrictImports(SRC('platform'), { patterns: [noTests, noTooling] }),
  restrictImports(SRC('core'), { patterns: [...pureCorePatterns, noTests, noTooling] }),
];

// The extension builds every page from Preact components, never from HTML
// strings: nothing a teacher or a class feed typed can become markup, and
// src/tools/webpack-dependency-patches.js takes Preact's raw-HTML path out of the bundles.
const rawHtml = 'Lesmodus builds its pages from components, never from HTML strings.';
const noRawHtml = {
  files: [...SRC('ui'), ...SRC('platform'), ...SRC('background'), ...SRC('content')],
  rules: {
    'no-restricted-syntax': ['error',
      { selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']", message: rawHtml },
      { selector: "AssignmentExpression > MemberExpression.left[property.name=/^(innerHTML|outerHTML)$/]", message: rawHtml },
      { selector: "CallExpression[callee.object.name='document'][callee.property.name=/^(write|writeln)$/]", message: rawHtml },
      { selector: "CallExpression[callee.property.name='insertAdjacentHTML']", message: rawHtml },
    ],
  },
};

const pureCore = {
  files: ['src/core/**/*.ts'],
  rules: {
    'no-restricted-globals': ['error',
      { name: 'chrome', message: 'src/core is pure: no browser API.' },
      { name: 'browser', message: 'src/core is pure: no browser API.' },
      { name: 'window', message: 'src/core is pure.' },
      { name: 'document', message: 'src/core is pure.' },
      { name: 'localStorage', message: 'src/core is pure.' },
      { name: 'fetch', message: 'src/core is pure: the network belongs in src/platform.' },
      { name: 'WebSocket', message: 'src/core is pure: the network belongs in src/platform.' },
    ],
    'no-restricted-syntax': ['error',
      { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'src/core takes the time as an argument.' },
      { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'src/core takes the time as an argument.' },
      { selector: "CallExpression[callee.object.name='performance'][callee.property.name='now']", message: 'src/core takes the time as an argument.' },
    ],
  },
};

// The live class feed's sockets are opened in one place, src/platform/socket.ts.
const oneSocketDoor = {
  files: [...SRC('background'), ...SRC('ui')],
  rules: {
    'no-restricted-globals': ['error', { name: 'WebSocket', message: 'WebSockets are opened only by src/platform/socket.ts.' }],
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
  ...importRules,
  noRawHtml,
  pureCore,
  oneSocketDoor,
  {
    files: ['**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/tools/**', 'tests/**'],
    rules: { 'no-console': 'off' },
  },
);
