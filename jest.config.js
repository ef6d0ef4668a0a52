// Three projects: unit (pure, fast), integration (real broker + real Redis), e2e (whole engine).
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
};
const common = { transform, testEnvironment: 'node', moduleFileExtensions: ['ts', 'js', 'json'] };

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      slowTestThreshold: 30,
    },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'], slowTestThreshold: 60 },
  ],
  coverageProvider: 'v8',
  // The pure core carries a floor (STYLE.md): `make unit` fails when it drops below 90% of lines.
  collectCoverageFrom: ['services/**/*.ts'],
  coverageThreshold: {
    './services/engine/evaluate/': { lines: 90 },
    './services/engine/definitions/': { lines: 90 },
  },
};
