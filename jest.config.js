/** Jest projects: `unit` is fast and needs nothing running; later projects deploy to an emulator. */
const common = {
  testEnvironment: 'node',
  moduleNameMapper: {
    // Handlers import layer packages by name; on Lambda they resolve under /opt/nodejs/node_modules.
    '^@faas-platform/shared$': '<rootDir>/layers/shared/faas-shared/src/index.ts',
  },
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true }] },
};

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      roots: ['<rootDir>/test/unit'],
      setupFilesAfterEnv: ['<rootDir>/test/setup-sdk-matchers.ts'],
    },
  ],
};
