// Tests are TypeScript transformed by SWC to CommonJS; the bundles are built by esbuild instead.
const swc = [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  },
];

const base = {
  transform: { '^.+\\.ts$': swc, '^.+\\.ya?ml$': '<rootDir>/test/helpers/text-transform.cjs' },
  moduleFileExtensions: ['ts', 'js', 'cjs', 'mjs', 'json', 'yaml', 'yml'],
  testEnvironment: 'node',
  setupFilesAfterEnv: ['<rootDir>/test/helpers/setup.ts'],
};

module.exports = {
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...base,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
    },
  ],
  coverageThreshold: { global: { lines: 80, branches: 70 } },
  collectCoverageFrom: ['functions/**/*.ts'],
};
