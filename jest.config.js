/**
 * Jest projects: `unit` is fast and needs nothing running; `integration` deploys the app to an
 * emulator once per run (MiniStack started by the harness, or the endpoint in AWS_ENDPOINT_URL).
 */
const common = {
  testEnvironment: 'node',
  moduleNameMapper: {
    // Handlers import layer packages by name; on Lambda they resolve under /opt/nodejs/node_modules.
    '^@faas-platform/shared$': '<rootDir>/layers/shared/faas-shared/src/index.ts',
  },
  // Type-checking is `npm run build`'s job; tests only transpile, file by file (isolatedModules
  // makes ts-jest transpile each file alone instead of building a language service per worker).
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false, tsconfig: { isolatedModules: true } }] },
};

module.exports = {
  // One worker per core (jest's default leaves one for itself): unit files are CPU-bound synths
  // while the parent only collects results. `npm test` runs the unit project, then the integration
  // project --runInBand: its scenarios share one deployed app and must not run side by side.
  maxWorkers: '100%',
  projects: [
    {
      ...common,
      displayName: 'unit',
      roots: ['<rootDir>/test/unit'],
      setupFilesAfterEnv: ['<rootDir>/test/setup-sdk-matchers.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      roots: ['<rootDir>/test/integration'],
      testMatch: ['**/*.integration.test.ts'],
      globalSetup: '<rootDir>/test/integration/harness/global-setup.ts',
      globalTeardown: '<rootDir>/test/integration/harness/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/integration/harness/timeout.ts'],
    },
  ],
};
