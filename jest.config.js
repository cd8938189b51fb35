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
  transform: { '^.+\\.(t|j)sx?$': swc },
  testEnvironment: 'node',
  moduleNameMapper: {
    '^preact(/.*)?$': '<rootDir>/node_modules/preact$1',
  },
  // jose is published as ES modules only: transform it like preact.
  transformIgnorePatterns: ['/node_modules/(?!(preact|@testing-library|jose)/)'],
};
