// Unit and component tests: pure core in node, UI components in jsdom.
/** @type {import('jest').Config} */
const swc = ['@swc/jest', {
  jsc: {
    parser: { syntax: 'typescript', tsx: true },
    transform: { react: { runtime: 'automatic', importSource: 'preact' } },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
}];

module.exports = {
  testMatch: ['<rootDir>/tests/unit/**/*.test.ts', '<rootDir>/tests/unit/**/*.test.tsx'],
  transform: { '^.+\\.(t|j)sx?$': swc, '^.+\\.mjs$': swc },
  testEnvironment: 'node',
  moduleNameMapper: {
    '^preact(/.*)?$': '<rootDir>/node_modules/preact$1',
    // The background runs over an in-memory browser in unit tests (see that file for why).
    '^webextension-polyfill$': '<rootDir>/tests/unit/background/support/fake-webextension.ts',
  },
  // Set by webpack's DefinePlugin in the builds; the unit tests run the Chrome build's code.
  globals: { __BROWSER__: 'chrome' },
  // jose and @webext-core/fake-browser are published as ES modules only: transform them like preact.
  transformIgnorePatterns: ['/node_modules/(?!(preact|@testing-library|jose|@webext-core)/)'],
};
