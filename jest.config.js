// ESM throughout: ts-jest compiles TypeScript as ES modules, and jest runs them under
// --experimental-vm-modules (set by the npm test script). Before any test, the sources are bundled afresh
// for the end-to-end tests to run (test-support/jest-global-setup.js).
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/__tests__/**/*.test.ts'],
  testTimeout: 120000,
  globalSetup: '<rootDir>/test-support/jest-global-setup.js',
  globalTeardown: '<rootDir>/test-support/jest-global-teardown.js',
}
