// End-to-end tests: the built extension in real Chromium and Firefox.
// One browser at a time (maxWorkers 1): the machine has two cores, and the
// managed-policy directory is global to the machine.
/** @type {import('jest').Config} */
module.exports = {
  testMatch: ['<rootDir>/tests/e2e/**/*.e2e.ts'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }] },
  testEnvironment: 'node',
  // jose (signing class documents in the feed suite) is published as ES modules only.
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  maxWorkers: 1,
  testTimeout: 60000,
};
